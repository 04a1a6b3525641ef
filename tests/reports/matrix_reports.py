"""Authorization rows for the monthly report pages (collected by tests/test_authorization_matrix.py).

Written from authority.md (§ Roles, § Monthly report chain), not from cpaudit.org.access: government
roles see the reports of their jurisdiction — a branch its own county's report only, a city its
branches' reports and its own consolidation, the province everything; outside that the answer is 404
(existence is not disclosed). Enterprises, consultants, experts and the administrators have no
business with monthly reports (403). Notifications are personal: every business role and the expert
has its own list; administrators have none (403).

Relations: "own" and "same_county" = world.branch_a (竞秀区), "other_county" = world.branch_b (莲池区,
same city), "other_city" = world.branch_sjz (石家庄); for the city pages the first three are
world.baoding and "other_city" world.sjz.
"""

import datetime as dt

from django.utils import timezone

from cpaudit.core import storedfiles
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import MonthlyReport, ReportKind, ReportStatus, ReportVersion

MONTH = "2020-06"
GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
BRANCH = {Role.BRANCH_STAFF, Role.BRANCH_LEADER}
CITY = {Role.CITY_STAFF, Role.CITY_LEADER}
NOTIFIED = GOV | {Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT}
SEES_BRANCH = {  # whose branch report each government role sees
    **{role: {"own", "same_county"} for role in BRANCH},
    **{role: {"own", "same_county", "other_county"} for role in CITY},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
}
SEES_CITY = {  # whose city page: a branch sees none, a city its own, the province all
    **{role: set() for role in BRANCH},
    **{role: {"own", "same_county", "other_county"} for role in CITY},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
}


def _branch(w, rel):
    return {"own": w.branch_a, "same_county": w.branch_a, "other_county": w.branch_b,
            "other_city": w.branch_sjz}[rel]


def _city(w, rel):
    return w.sjz if rel == "other_city" else w.baoding


def branch_kwargs(w, rel):
    return {"slug": w.campaign.slug, "month": MONTH, "agency_pk": _branch(w, rel).pk}


def city_kwargs(w, rel):
    return {"slug": w.campaign.slug, "month": MONTH, "agency_pk": _city(w, rel).pk}


def download_kwargs(w, rel):
    return {**branch_kwargs(w, rel), "fmt": "txt"}


def version_kwargs(w, rel):
    """A submitted version 1 of the relation's branch report (written directly: the setting)."""
    report, _ = MonthlyReport.objects.get_or_create(kind=ReportKind.BRANCH, campaign=w.campaign,
                                                    agency=_branch(w, rel), month=dt.date(2020, 6, 1),
                                                    defaults={"problems": "无"})
    content = services.build_content(report, dt.date(2020, 6, 30))
    content["version"] = 1
    version, _ = ReportVersion.objects.get_or_create(report=report, number=1, defaults={
        "content": content, "digest": "0" * 64, "submitted_by": w.users[Role.BRANCH_LEADER],
        "submitted_at": timezone.make_aware(dt.datetime(2020, 6, 28, 10, 0))})
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    return {"pk": version.pk}


def report_pk_kwargs(w, rel):
    return {"pk": ReportVersion.objects.get(pk=version_kwargs(w, rel)["pk"]).report_id}


def scan_kwargs(w, rel):
    """A submitted version with the scan of its sealed copy in the store."""
    version = ReportVersion.objects.get(pk=version_kwargs(w, rel)["pk"])
    digest = "1" * 64
    path = storedfiles.stored_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 sealed copy")
    ReportVersion.objects.filter(pk=version.pk).update(scan_digest=digest, scan_name="盖章件.pdf",
                                                       scan_content_type="application/pdf", scan_size=20,
                                                       scan_uploaded_by=w.users[Role.BRANCH_STAFF],
                                                       scan_uploaded_at=timezone.now())
    return {"pk": version.pk}


def scan_upload_rule(role, rel):
    """Only the reporting unit's own people (a branch's, for a branch report); outside what the role
    sees 404; the empty POST comes back to the page (302)."""
    if role not in GOV:
        return 403
    if rel not in SEES_BRANCH[role]:
        return 404
    return 302 if role in BRANCH else 403


def rule(sees):
    def expect(role, rel):
        if role not in GOV:
            return 403
        return 200 if rel in sees[role] else 404

    return expect


def index_rule(role, rel):
    if role not in GOV:
        return 403
    # A branch is sent to its report, a city to its overview; the province picks a city.
    return 302 if role in BRANCH | CITY else 200


MATRIX = {
    "reports:index": (None, index_rule, "get"),
    "reports:branch_report": (branch_kwargs, rule(SEES_BRANCH), "get"),
    "reports:city_overview": (city_kwargs, rule(SEES_CITY), "get"),
    "reports:download": (download_kwargs, rule(SEES_BRANCH), "get"),
    "reports:version": (version_kwargs, rule(SEES_BRANCH), "get"),
    "reports:scan_download": (scan_kwargs, rule(SEES_BRANCH), "get"),
    "reports:scan_upload": (report_pk_kwargs, scan_upload_rule, "post"),
    "reports:notifications": (None, lambda role, rel: 200 if role in NOTIFIED else 403, "get"),
    "reports:notifications_read": (None, lambda role, rel: 302 if role in NOTIFIED else 403, "post"),
}

# An empty POST (no action chosen) meets the page's gate and comes back with a message, changing nothing.
POSTED = ["reports:branch_report", "reports:city_overview"]

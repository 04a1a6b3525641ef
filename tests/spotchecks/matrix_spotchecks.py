"""Authorization rows of the spot-check pages (collected by tests/test_authorization_matrix.py).

Written from issue 13 and authority.md, independently of cpaudit.org.access: spot checks are
government business (the province and city staff plan; any government person may be an inspector);
a plan of the province drawn for the relation's county is seen, once its check date has passed, by the
government people whose jurisdiction holds the enterprise (404 elsewhere: existence not disclosed);
rectification tasks are also seen by the enterprise concerned. Confidentiality before the check date
is tested in tests/spotchecks/test_views.py.
"""

import datetime as dt
import hashlib

from django.utils import timezone

from cpaudit.core import storedfiles
from cpaudit.org.roles import Role

from .helpers import CHECK_DAY, make_inspector

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
PLANNERS = {Role.PROVINCE_STAFF, Role.CITY_STAFF}
SEES = {
    Role.ENTERPRISE: {"own"},
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: {"own", "same_county", "other_county", "other_city"},
    Role.PROVINCE_LEADER: {"own", "same_county", "other_county", "other_city"},
}


def role_only(roles, ok=200):
    return lambda role, rel: ok if role in roles else 403


def seen_rule(roles):
    def rule(role, rel):
        if role not in roles:
            return 403
        return 200 if rel in SEES[role] else 404

    return rule


def _item(w, rel):
    """A province plan for the relation's county, drawn (rows written directly: the setting of the
    matrix, not the draw it tests) for a check date that has passed."""
    from cpaudit.campaigns.models import Enrolment
    from cpaudit.spotchecks.models import Assignment, Item, Plan, PlanStatus

    enterprise = w.enterprises[rel]
    staff = w.users[Role.PROVINCE_STAFF]
    plan = Plan.objects.create(agency=w.province, campaign=w.campaign, title="矩阵抽查", counties=[enterprise.county_id],
                               check_date=CHECK_DAY, status=PlanStatus.DRAWN, created_by=staff,
                               created_at=timezone.now(), drawn_by=staff, drawn_at=timezone.now(), seed="0" * 32)
    item = Item.objects.create(plan=plan, enterprise=enterprise, stratum="general", order=1,
                               enrolment=Enrolment.objects.get(campaign=w.campaign, enterprise=enterprise))
    Assignment.objects.create(item=item, inspector=make_inspector(w.province), order=1)
    return item


def plan_kwargs(w, rel):
    return {"pk": _item(w, rel).plan_id}


def item_kwargs(w, rel):
    return {"pk": _item(w, rel).pk}


def file_kwargs(w, rel):
    from cpaudit.spotchecks.models import EvidenceFile

    item = _item(w, rel)
    content = b"%PDF-1.4\n% spot check matrix\n%%EOF\n"
    digest = hashlib.new("sm3", content).hexdigest()
    path = storedfiles.stored_path(digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    row = EvidenceFile.objects.create(item=item, digest=digest, name="现场照片.pdf", size=len(content),
                                      content_type="application/pdf", uploaded_by=w.users[Role.PROVINCE_STAFF],
                                      uploaded_at=timezone.now())
    return {"pk": row.pk}


def rectification_kwargs(w, rel):
    from cpaudit.spotchecks.models import Rectification

    item = _item(w, rel)
    task = Rectification.objects.create(item=item, enterprise=item.enterprise, requirement="整改", deadline=dt.date(
        2020, 10, 10), opened_by=w.users[Role.PROVINCE_STAFF], opened_at=timezone.now())
    return {"pk": task.pk}


MATRIX = {
    "spotchecks:plan_list": (None, role_only(GOV), "get"),
    "spotchecks:plan_create": (None, role_only(PLANNERS), "get"),
    "spotchecks:plan_detail": (plan_kwargs, seen_rule(GOV), "get"),
    "spotchecks:plan_verify": (plan_kwargs, seen_rule(GOV), "get"),
    "spotchecks:item_detail": (item_kwargs, seen_rule(GOV), "get"),
    "spotchecks:file_download": (file_kwargs, seen_rule(GOV), "get"),
    "spotchecks:my_items": (None, role_only(GOV), "get"),
    "spotchecks:rectification_list": (None, role_only(GOV | {Role.ENTERPRISE}), "get"),
    "spotchecks:rectification_detail": (rectification_kwargs, seen_rule(GOV | {Role.ENTERPRISE}), "get"),
    "spotchecks:inspector_list": (None, role_only(GOV), "get"),
}
# An empty POST meets the page's gate and, where allowed, comes back with errors, changing nothing.
POSTED = ["spotchecks:plan_create", "spotchecks:plan_detail", "spotchecks:item_detail",
          "spotchecks:rectification_detail", "spotchecks:inspector_list"]

"""Monthly report decisions bound to what the decider saw (cpaudit.reports.seen): the city's acceptance
and return carry the version the page showed, the leader's submission the SM3 of the draft's content;
a stale one is refused with "…已更新，请刷新后再审" and nothing changes. Each kind: service and page."""

import re

import pytest
from django.urls import reverse

from cpaudit.core.errors import InvalidState
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import MonthlyReport, ReportStatus, ReportVersion
from cpaudit.reports.seen import STALE, content_token, version_token

from .conftest import D, own, step

MAY = "2020-05"


def corrected(users, report) -> None:
    """Meanwhile: the city (another reviewer) returns version 1, the branch corrects, resubmits version 2."""
    services.report_return(actor=users[Role.CITY_STAFF], report=report, reason="请补充")
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=report, problems="已补充")
    services.report_submit(actor=users[Role.BRANCH_LEADER], report=report, reason="补充问题")


def assert_stale(info) -> None:
    assert info.value.code == "stale" and info.value.message.endswith(STALE)


def logged(action: str) -> int:
    return ActionLog.objects.filter(action=action).count()


# --- service level ---------------------------------------------------------------------------------

@pytest.mark.parametrize("decision", ["accept", "return"])
def test_review_of_a_version_replaced_meanwhile_is_refused(users, submitted, decision):
    seen = version_token(submitted.versions.get())
    corrected(users, submitted)
    before = (logged("reports.report.accepted"), logged("reports.report.returned"))
    with pytest.raises(InvalidState) as info:
        if decision == "accept":
            services.report_accept(actor=users[Role.CITY_STAFF], report=submitted, seen=seen)
        else:
            services.report_return(actor=users[Role.CITY_STAFF], report=submitted, reason="x", seen=seen)
    assert_stale(info)
    assert "第2版" in info.value.message
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED and submitted.return_reason == ""
    assert (logged("reports.report.accepted"), logged("reports.report.returned")) == before
    # What the page shows now is accepted.
    fresh = version_token(submitted.versions.get(number=2))
    assert services.report_accept(actor=users[Role.CITY_STAFF], report=submitted, seen=fresh).status == \
        ReportStatus.ACCEPTED


def test_review_without_the_pages_token_is_refused(users, submitted):
    with pytest.raises(InvalidState) as info:
        services.report_accept(actor=users[Role.CITY_STAFF], report=submitted, seen="")
    assert_stale(info)
    assert MonthlyReport.objects.get(pk=submitted.pk).status == ReportStatus.SUBMITTED


def test_submission_of_a_draft_changed_since_the_page_is_refused(world, users, branch_report, today):
    def shown():  # what the leader's page shows now
        branch_report.refresh_from_db()
        return content_token(services.build_content(branch_report, today()))

    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    seen = shown()
    # Staff rewrite the problems after the leader opened the page …
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="个别企业停产")
    with pytest.raises(InvalidState) as info:
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report, seen=seen)
    assert_stale(info)
    assert not ReportVersion.objects.exists()
    # … or the data move: the draft's sentences change.
    seen = shown()
    step(own(world), 3, D(2020, 5, 20))
    with pytest.raises(InvalidState) as info:
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report, seen=seen)
    assert_stale(info)
    version = services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report, seen=shown())
    assert version.content["problems"] == "个别企业停产" and version.content["sentences"]


# --- through the pages -----------------------------------------------------------------------------

def _seen(html: str, report_pk=None) -> str:
    if report_pk is None:
        return re.search(r'name="seen" value="([^"]*)"', html)[1]
    return re.search(rf'name="report" value="{report_pk}"[^>]*><input type="hidden" name="seen" value="([^"]*)"',
                     html)[1]


@pytest.mark.parametrize("decision", ["accept", "return"])
def test_page_review_of_a_replaced_version_is_refused(world, users, submitted, client, decision):
    url = reverse("reports:city_overview", args=[world.campaign.slug, MAY, world.baoding.pk])
    client.force_login(users[Role.CITY_STAFF])
    html = client.get(url).content.decode()
    seen = _seen(html, submitted.pk)
    assert seen == version_token(submitted.versions.get())
    # The version bound is the one listed, which the reviewer can open from the row.
    assert reverse("reports:version", args=[submitted.versions.get().pk]) in html and "第1版" in html
    corrected(users, submitted)
    response = client.post(url, {"action": decision, "report": submitted.pk, "seen": seen, "reason": "数据有误"})
    html = response.content.decode()
    assert response.status_code == 200 and STALE in html
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED
    # The page shown again carries the version now current.
    assert _seen(html, submitted.pk) == version_token(submitted.versions.get(number=2))


def test_page_submission_of_a_changed_draft_is_refused(world, users, branch_report, client):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    url = reverse("reports:branch_report", args=[world.campaign.slug, MAY, world.branch_a.pk])
    client.force_login(users[Role.BRANCH_LEADER])
    seen = _seen(client.get(url).content.decode())
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="个别企业停产")
    response = client.post(url, {"action": "submit", "seen": seen})
    html = response.content.decode()
    assert response.status_code == 200 and f"内容{STALE}" in html
    assert not ReportVersion.objects.exists()
    assert client.post(url, {"action": "submit", "seen": _seen(html)}).status_code == 302
    assert ReportVersion.objects.get().content["problems"] == "个别企业停产"

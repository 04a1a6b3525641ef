"""事前有防 on the reports' chain (issue 10): a leader submitting a monthly report or a results summary, and
city staff accepting or returning one, need a current declaration of interest; without one (never
filed, or older than CPAUDIT_DECLARATION_VALID_DAYS) the service refuses, says why, and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from cpaudit.core.errors import PermissionDenied
from cpaudit.integrity.models import Declaration
from cpaudit.org.roles import Role
from cpaudit.reports import results, services
from cpaudit.reports.models import ReportStatus, ReportVersion, ResultsVersion

from .results_fixtures import branch_submitted, summary_of

MISSING = "尚未填报利益关系申报"


def withdraw(user) -> None:
    Declaration.objects.filter(user=user).delete()


def expire(user) -> None:
    Declaration.objects.filter(user=user).update(declared_at=timezone.now() - dt.timedelta(days=400))


@pytest.mark.parametrize("lapse", [withdraw, expire])
def test_the_leader_cannot_submit_a_report_without_a_current_declaration(users, branch_report, lapse):
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=branch_report, problems="无")
    lapse(users[Role.BRANCH_LEADER])
    with pytest.raises(PermissionDenied, match=f"{MISSING}.*审批报送月度进度报告"):
        services.report_submit(actor=users[Role.BRANCH_LEADER], report=branch_report)
    branch_report.refresh_from_db()
    assert branch_report.status == ReportStatus.DRAFT and not ReportVersion.objects.exists()


@pytest.mark.parametrize(("decide", "what"), [
    (lambda u, r: services.report_accept(actor=u, report=r), "接收月度进度报告"),
    (lambda u, r: services.report_return(actor=u, report=r, reason="补充"), "退回月度进度报告"),
])
def test_city_staff_cannot_accept_or_return_without_a_current_declaration(users, submitted, decide, what):
    withdraw(users[Role.CITY_STAFF])
    with pytest.raises(PermissionDenied, match=f"{MISSING}.*{what}"):
        decide(users[Role.CITY_STAFF], submitted)
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED


def test_an_expired_declaration_says_when_it_expired(users, submitted):
    expire(users[Role.CITY_STAFF])
    with pytest.raises(PermissionDenied, match="到期"):
        services.report_accept(actor=users[Role.CITY_STAFF], report=submitted)


@pytest.mark.usefixtures("applied")
def test_the_leader_cannot_submit_a_results_summary_without_a_current_declaration(world, users):
    summary = results.results_save_draft(actor=users[Role.BRANCH_STAFF], summary=summary_of(world, world.branch_a),
                                         remarks="")
    withdraw(users[Role.BRANCH_LEADER])
    with pytest.raises(PermissionDenied, match=f"{MISSING}.*审批报送结果汇总"):
        results.results_submit(actor=users[Role.BRANCH_LEADER], summary=summary)
    assert not ResultsVersion.objects.exists()


@pytest.mark.usefixtures("applied")
@pytest.mark.parametrize(("decide", "what"), [
    (lambda u, s: results.results_accept(actor=u, summary=s), "接收结果汇总"),
    (lambda u, s: results.results_return(actor=u, summary=s, reason="补充"), "退回结果汇总"),
])
def test_city_staff_cannot_review_a_results_summary_without_a_current_declaration(world, users, decide, what):
    summary = branch_submitted(world)
    withdraw(users[Role.CITY_STAFF])
    with pytest.raises(PermissionDenied, match=f"{MISSING}.*{what}"):
        decide(users[Role.CITY_STAFF], summary)
    summary.refresh_from_db()
    assert summary.status == ReportStatus.SUBMITTED


def test_the_page_says_why(world, users, submitted, login):
    """Through the city's page: the refusal is a page that says why; the report stays submitted."""
    from django.urls import reverse

    withdraw(users[Role.CITY_STAFF])
    client = login(users[Role.CITY_STAFF])
    url = reverse("reports:city_overview", args=[world.campaign.slug, "2020-05", world.baoding.pk])
    response = client.post(url, {"action": "accept", "report": submitted.pk})
    assert response.status_code == 403 and MISSING in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReportStatus.SUBMITTED

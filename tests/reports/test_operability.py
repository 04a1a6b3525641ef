"""Failures say what happened (issue 12), on the monthly report's page:
- two leaders submitting at once: the second is shown why nothing happened ("报告已报送，不能重复报送")
  on the report as it now is, not a page without a message;
- a submission whose after-commit checkpoint cannot be written is a success (the version is frozen and
  logged), the failure is recorded for the operator and retried — never an error page after the commit.
These run with real commits (transactional), as in production: on_commit hooks run inside the request."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cpaudit.jobs.models import Incident
from cpaudit.org.roles import Role
from cpaudit.reports import services
from cpaudit.reports.models import ReportVersion
from tests.factories import declare, make_user

from .conftest import D

MAY = "2020-05"
REFUSED = "报告已报送，不能重复报送"


@pytest.fixture
def drafted(world, users, settings):
    settings.CPAUDIT_TODAY = "2020-05-20"  # settings, not clock.frozen: the threads below see it too
    report = services.report_for(actor=users[Role.BRANCH_STAFF], campaign=world.campaign, agency=world.branch_a,
                                 month=D(2020, 5, 1), kind="branch")
    report.save()
    services.report_save_draft(actor=users[Role.BRANCH_STAFF], report=report, problems="无", remarks="")
    return report


def leader_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def page_url(world) -> str:
    return reverse("reports:branch_report", args=[world.campaign.slug, MAY, world.branch_a.pk])


def seen_of(client, url) -> str:
    return re.search(r'name="seen" value="([^"]*)"', client.get(url).content.decode())[1]


def test_the_second_leader_is_told_the_report_was_submitted(world, users, drafted):
    second = make_user("bleader2", Role.BRANCH_LEADER, agency=world.branch_a)
    declare(second)
    url = page_url(world)
    first_client, second_client = leader_client(users[Role.BRANCH_LEADER]), leader_client(second)
    first_seen, second_seen = seen_of(first_client, url), seen_of(second_client, url)  # both pages open
    assert first_client.post(url, {"action": "submit", "seen": first_seen}).status_code == 302
    response = second_client.post(url, {"action": "submit", "seen": second_seen})
    assert response.status_code == 302 and response["Location"] == url
    html = second_client.get(url).content.decode()
    assert REFUSED in html and "已报送" in html
    assert ReportVersion.objects.count() == 1


def test_two_leaders_submitting_at_the_same_moment(world, users, drafted, transactional_db,
                                                   django_db_serialized_rollback):
    """Real concurrency: two threads, two database connections, one lock; one wins, the other is told."""
    second = make_user("bleader2", Role.BRANCH_LEADER, agency=world.branch_a)
    declare(second)
    url = page_url(world)
    clients = [leader_client(users[Role.BRANCH_LEADER]), leader_client(second)]
    seens = [seen_of(c, url) for c in clients]
    start, pages = threading.Barrier(2), [None, None]

    def submit(index):
        try:
            start.wait(timeout=30)
            clients[index].post(url, {"action": "submit", "seen": seens[index]})
            pages[index] = clients[index].get(url).content.decode()
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert ReportVersion.objects.count() == 1
    told = [("已审批并报送第1版" in page, REFUSED in page) for page in pages]
    assert sorted(told) == [(False, True), (True, False)], told


def test_an_unwritable_checkpoint_does_not_turn_the_submission_into_an_error(world, users, drafted, settings,
                                                                            tmp_path, transactional_db,
                                                                            django_db_serialized_rollback):
    blocked = tmp_path / "checkpoints"
    blocked.write_text("一个文件挡住了检查点目录")
    settings.CPAUDIT_CHECKPOINT_DIR = blocked
    client, url = leader_client(users[Role.BRANCH_LEADER]), page_url(world)
    response = client.post(url, {"action": "submit", "seen": seen_of(client, url)})
    assert response.status_code == 302
    assert "已审批并报送第1版" in client.get(url).content.decode()
    assert ReportVersion.objects.count() == 1
    incident = Incident.objects.get(key="aftercommit:checkpoint")
    assert incident.open and incident.retry_at is not None
    # The worker's retry, once the directory is back, writes the checkpoint and closes the incident.
    from cpaudit.jobs.incidents import retry_due

    settings.CPAUDIT_CHECKPOINT_DIR = tmp_path / "fixed"
    assert retry_due(incident.retry_at) == [("checkpoint", True)]
    assert (tmp_path / "fixed" / "log-checkpoints.jsonl").exists()
    incident.refresh_from_db()
    assert not incident.open

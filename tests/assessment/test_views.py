"""Extensions, summons and suspensions through their pages (the services are tested on their own)."""

import pytest
from django.urls import reverse

from cpaudit.assessment.models import Extension, ExtensionStatus, Summons, SummonsStatus, Suspension
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role

pytestmark = pytest.mark.django_db


def test_extension_requested_and_decided_through_the_pages(world, client, settings):
    settings.CPAUDIT_TODAY = "2020-08-01"
    enrolment = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.post(reverse("assessment:extension_list"), {
        "enrolment": enrolment.pk, "target": "evaluation", "requested_date": "2020-09-20",
        "reason": "主要生产线停产检修，无法按期完成评估"})
    extension = Extension.objects.get()
    assert response.status_code == 302 and extension.status == ExtensionStatus.BRANCH_PENDING
    url = reverse("assessment:extension_detail", args=[extension.pk])
    client.force_login(world.users[Role.BRANCH_LEADER])
    assert "待我办理" in client.get(reverse("assessment:extension_list")).content.decode()
    assert client.post(url, {"decision": "yes", "opinion": "属实，同意上报"}).status_code == 302
    client.force_login(world.users[Role.CITY_LEADER])
    assert client.post(url, {"decision": "yes", "opinion": "同意"}).status_code == 302
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    client.force_login(world.users[Role.BRANCH_LEADER])
    assert client.post(url, {"decision": "yes", "opinion": "再办"}).status_code == 403  # nothing left to decide


def test_summons_decided_and_recorded_through_the_pages(world, client, settings):
    settings.CPAUDIT_TODAY = "2020-10-20"
    client.force_login(world.users[Role.CITY_LEADER])
    response = client.post(reverse("assessment:summons_list"), {
        "summoned": world.branch_a.pk, "attendees": "分局一把手", "scheduled_for": "2020-10-15", "reason": "进度滞后"})
    summons = Summons.objects.get()
    assert response.status_code == 302 and summons.agency == world.baoding
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("assessment:summons_detail", args=[summons.pk])
    bad = client.post(url, {"held_on": "2020-10-15", "record": "约谈", "commitments": "下月 督促"})
    assert bad.status_code == 200 and "应以完成期限" in bad.content.decode()
    client.post(url, {"held_on": "2020-10-15", "record": "分局承诺整改", "commitments": "2020-10-31 督促两家企业"})
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.HELD and summons.commitments.get().text == "督促两家企业"
    commitment = summons.commitments.get()
    client.post(reverse("assessment:commitment_done", args=[commitment.pk]), {"outcome": "已完成"})
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.CLOSED


def test_suspension_through_the_agency_page(world, client):
    url = reverse("assessment:agency_detail", args=[world.consulting.pk])
    client.force_login(world.users[Role.CITY_STAFF])
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(world.users[Role.CITY_LEADER])
    assert client.post(url, {"action": "suspend", "reason": "抽查发现数据失实"}).status_code == 302
    assert Suspension.objects.get().lifted_at is None
    assert "暂停承接新业务" in client.get(url).content.decode()
    client.post(url, {"action": "reinstate", "reason": "整改完成"})
    assert Suspension.objects.get().lifted_at is not None

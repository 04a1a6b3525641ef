"""The application page: the form as submitted, the route and whose turn it is, and the one action form
for the current state that the user's role and agency may take."""

import pytest
from django.urls import reverse

from cpaudit.applications.models import ApplicationVersion, Status
from cpaudit.org.roles import Role

from .viewfixtures import SUBMITTED, make_application

pytestmark = pytest.mark.django_db
GOV = [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER]
ALL = [Role.ENTERPRISE, Role.CONSULTANT, *GOV]
# state → {role: the action the page offers}; every other role of ALL is offered nothing.
EXPECTED = {
    Status.DRAFT: {Role.ENTERPRISE: "edit", Role.CONSULTANT: "edit"},
    Status.RETURNED: {Role.ENTERPRISE: "edit", Role.CONSULTANT: "edit"},
    Status.BRANCH_REVIEW: {Role.BRANCH_STAFF: "decide"},
    Status.BRANCH_APPROVAL: {Role.BRANCH_LEADER: "decide"},
    Status.BRANCH_BATCH: {Role.BRANCH_LEADER: "batch"},
    Status.CITY_REVIEW: {Role.CITY_STAFF: "decide"},
    Status.CITY_APPROVAL: {Role.CITY_LEADER: "decide"},
    Status.CITY_BATCH: {Role.CITY_LEADER: "batch"},
    Status.PROVINCE_REVIEW: {Role.PROVINCE_STAFF: "decide"},
    Status.PROVINCE_APPROVAL: {Role.PROVINCE_LEADER: "decide"},
    Status.ORGANIZING: {Role.BRANCH_STAFF: "propose"},  # management level 其他: the branch organizes
    Status.RESULT_PENDING: {Role.BRANCH_LEADER: "confirm"},
    Status.PASSED: {},
    Status.FAILED: {},
}
CASES = [(state, role) for state in EXPECTED for role in ALL]


@pytest.mark.parametrize(("state", "role"), CASES, ids=[f"{s.value}-{r.value}" for s, r in CASES])
def test_action_matches_state_and_role(client, world, today, state, role):
    extra = {"passed": state == Status.PASSED} if state in (Status.PASSED, Status.FAILED) else {}
    app = make_application(world, status=state, **extra)
    client.force_login(world.users[role])
    response = client.get(reverse("applications:detail", args=[app.pk]))
    assert response.status_code == 200
    assert response.context["action"] == EXPECTED[state].get(role), (state, role)
    html = response.content.decode()
    assert ('name="action" value="decide"' in html) == (EXPECTED[state].get(role) == "decide")
    assert ("check_materials_complete" in html) == (state == Status.BRANCH_REVIEW and role == Role.BRANCH_STAFF)


def test_city_staff_of_another_city_level_gets_no_form(client, world, today):
    """定州 is its own city level: Baoding's city staff see nothing to do on a 定州 application."""
    app = make_application(world, "dingzhou", status=Status.CITY_REVIEW)
    client.force_login(world.users[Role.CITY_STAFF])  # Baoding's: 定州 is outside its jurisdiction
    assert client.get(reverse("applications:detail", args=[app.pk])).status_code == 404
    client.force_login(world.users[Role.PROVINCE_STAFF])
    assert client.get(reverse("applications:detail", args=[app.pk])).context["action"] is None
    html = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "下一步：填写初审意见，由定州市生态环境局经办人员办理" in html


def test_page_shows_form_route_versions_and_downloads(client, world, today):
    app = make_application(world, status=Status.CITY_REVIEW)
    ApplicationVersion.objects.create(application=app, number=2, content={"fields": [
        {"key": "name", "label": "企业名称", "value": "自有测试企业有限公司"},
        {"key": "has_violation", "label": "清洁生产审核过程中是否有其他环保违规处罚事件", "value": False}]},
        digest="a" * 64, submitted_by=world.users[Role.ENTERPRISE], submitted_at=SUBMITTED)
    client.force_login(world.users[Role.ENTERPRISE])
    html = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "第2版" in html and "a" * 64 in html and "第1版" in html  # latest in full, earlier listed
    assert "清洁生产审核过程中是否有其他环保违规处罚事件</th><td>否" in html
    for agency in (world.branch_a, world.baoding, world.province):
        assert agency.name in html
    assert "下一步：填写初审意见，由保定市生态环境局经办人员办理" in html
    assert reverse("applications:form_download", args=[app.pk, "docx"]) in html
    assert reverse("applications:form_download", args=[app.pk, "pdf"]) in html
    assert "/experts/panels/" not in html


def test_draft_shows_the_draft_fields_in_order(client, world, today):
    app = make_application(world, status=Status.DRAFT)
    client.force_login(world.users[Role.CONSULTANT])
    html = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "草稿，尚未提交" in html
    assert html.index("申请日期") < html.index("企业名称") < html.index("企业类型")
    assert "按当前管理级别，提交时确定" in html  # the organizer is fixed at submission


@pytest.mark.parametrize("state", [Status.ORGANIZING, Status.RESULT_PENDING, Status.PASSED, Status.FAILED])
def test_panel_link_for_government_only(client, world, today, state):
    app = make_application(world, status=state)
    link = f"/experts/panels/application/{app.pk}/"
    client.force_login(world.users[Role.CITY_STAFF])
    assert link in client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    client.force_login(world.users[Role.ENTERPRISE])
    assert link not in client.get(reverse("applications:detail", args=[app.pk])).content.decode()


def test_empty_post_is_a_message(client, world, today):
    app = make_application(world, status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("applications:detail", args=[app.pk]), {})
    assert response.status_code == 200 and "请选择要执行的操作" in response.content.decode()


def test_propose_without_scores_is_a_message(client, world, today):
    """The experts module answers no panel: the service refuses, the page says why."""
    app = make_application(world, status=Status.ORGANIZING)
    client.force_login(world.users[Role.BRANCH_STAFF])
    seen = client.get(reverse("applications:detail", args=[app.pk])).context["form"]["seen"].value()
    response = client.post(reverse("applications:detail", args=[app.pk]), {"action": "propose", "opinion": "x",
                                                                            "seen": seen})
    assert response.status_code == 200 and "不能提出结论" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.ORGANIZING

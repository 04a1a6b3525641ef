"""The workbench on the test world: each role's sections, counts equal to the lists behind them,
filters of the steps awaiting the branch, 下一项, the fixed number of queries."""

import pytest
from django.urls import reverse

from cpaudit.applications.models import Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.progress.models import ReviewStatus, StepRecord
from cpaudit.workbench import selectors
from tests.applications.viewfixtures import make_application
from tests.factories import complete_audit
from tests.querycount import page_queries


def enrolment(world, rel="own"):
    return Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_workbench_and_the_home_page_is_it(client, world, role):
    client.force_login(world.users[role])
    for url in (reverse("workbench:index"), reverse("home")):
        html = client.get(url).content.decode()
        assert "<h1>工作台</h1>" in html and "已办" in html
        assert "未读通知" in html


def test_branch_staff_sees_the_steps_awaiting_it_with_matching_counts(client, world):
    complete_audit(enrolment(world), through=5, confirmed=False)
    complete_audit(enrolment(world, "same_county"), through=2, confirmed=False)
    complete_audit(enrolment(world, "other_county"), through=3, confirmed=False)  # another branch's
    staff = world.users[Role.BRANCH_STAFF]
    section = next(s for s in selectors.sections(staff) if s.key == "steps_pending")
    assert section.count == 7 == StepRecord.objects.filter(
        review=ReviewStatus.PENDING, enrolment__enterprise__county_id="130602").count()
    client.force_login(staff)
    html = client.get(reverse("workbench:section", args=["steps_pending"])).content.decode()
    assert html.count('<tr><td><a href="/progress/enrolments/') == 7 and "外县测试企业" not in html
    only = client.get(reverse("workbench:section", args=["steps_pending"]),
                      {"enterprise": world.enterprises["same_county"].pk}).content.decode()
    assert only.count('<tr><td><a href="/progress/enrolments/') == 2
    staged = client.get(reverse("workbench:section", args=["steps_pending"]), {"stage": 1}).content.decode()
    assert staged.count('<tr><td><a href="/progress/enrolments/') == len(StepRecord.objects.filter(
        review=ReviewStatus.PENDING, step__stage=1, enrolment__enterprise__county_id="130602"))
    first = client.get(reverse("workbench:next", args=["steps_pending"]))
    assert first.status_code == 302 and first["Location"].startswith("/progress/enrolments/")


def test_the_enterprise_sees_its_returned_step_with_the_reason(client, world):
    record = complete_audit(enrolment(world), through=1, confirmed=False)[0]
    record.review, record.review_reason, record.status = ReviewStatus.RETURNED, "缺少签字页", "in_progress"
    record.save()
    client.force_login(world.users[Role.ENTERPRISE])
    html = client.get(reverse("home")).content.decode()
    assert "被退回的步骤" in html and "缺少签字页" in html
    assert client.get(reverse("workbench:section", args=["steps_pending"])).status_code == 404


def test_applications_only_on_the_desk_whose_turn_it_is(client, world):
    make_application(world, status=Status.BRANCH_APPROVAL)
    counts = {role: next(s.count for s in selectors.sections(world.users[role]) if s.key == "applications")
              for role in (Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF)}
    assert counts == {Role.BRANCH_STAFF: 0, Role.BRANCH_LEADER: 1, Role.CITY_STAFF: 0}


def test_turn_label_only_for_the_person_whose_turn_it_is(client, world):
    application = make_application(world, status=Status.BRANCH_APPROVAL)
    url = reverse("applications:detail", args=[application.pk])
    client.force_login(world.users[Role.BRANCH_STAFF])
    assert "轮到您办理" not in client.get(url).content.decode()
    client.force_login(world.users[Role.BRANCH_LEADER])
    assert "轮到您办理" in client.get(url).content.decode()


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.ENTERPRISE, Role.CITY_STAFF, Role.EXPERT])
def test_the_workbench_takes_a_fixed_number_of_queries(client, world, role):
    client.force_login(world.users[role])
    url = reverse("workbench:index")
    few = page_queries(client, url)
    for rel in ("own", "same_county"):
        complete_audit(enrolment(world, rel), through=9, confirmed=False)
        make_application(world, rel, status=Status.BRANCH_REVIEW)
    assert page_queries(client, url) == few


def test_after_an_action_the_page_offers_the_next_pending_item(client, world):
    records = complete_audit(enrolment(world), through=2, confirmed=False)
    client.force_login(world.users[Role.BRANCH_STAFF])
    page = client.get(reverse("progress:step_edit", args=[records[0].enrolment_id, 1])).content.decode()
    assert f'href="{reverse("workbench:next", args=["steps_pending"])}"' in page
    client.post(reverse("progress:step_review", args=[records[0].pk]), {"action": "confirm"})
    nxt = client.get(reverse("workbench:next", args=["steps_pending"]))
    assert nxt["Location"] == reverse("progress:step_edit", args=[records[1].enrolment_id, 2])


def test_a_section_page_has_one_trail_of_breadcrumbs(client, world):
    client.force_login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("workbench:section", args=["steps_pending"])).content.decode()
    assert html.count('class="crumbs"') == 1
    trail = html[html.index('class="crumbs"'):]
    trail = trail[:trail.index("</nav>")]
    assert trail.count("工作台") == 1 and "首页" in trail

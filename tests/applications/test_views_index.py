"""The index: to-do with the action named, every application in scope with filters, search, sorting and
pagination, at a fixed number of queries whatever the number of applications."""

import pytest
from django.urls import reverse

from cpaudit.applications.models import Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.registry.models import ManagementLevel
from tests.factories import make_enterprise
from tests.querycount import page_queries

from .viewfixtures import make_application

pytestmark = pytest.mark.django_db


def add_applications(world, n, status=Status.BRANCH_REVIEW, county="130602"):
    for i in range(n):
        enterprise = make_enterprise(county, name=f"批量企业{county}-{i}有限公司")
        enrol = Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise)
        make_application(world, status=status, enrol=enrol, kind=Kind.EVALUATION if i % 2 else Kind.ACCEPTANCE)


def queries(client, url, params=None):
    return page_queries(client, url, params)


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF])
def test_index_queries_do_not_grow(client, world, today, role):
    client.force_login(world.users[role])
    add_applications(world, 3)
    few = queries(client, reverse("applications:index"))
    filtered_few = queries(client, reverse("applications:index"), {"late": "on", "q": "批量", "sort": "-name"})
    add_applications(world, 27)
    assert queries(client, reverse("applications:index")) == few
    assert queries(client, reverse("applications:index"), {"late": "on", "q": "批量", "sort": "-name"}) == filtered_few


def test_todo_names_the_action(client, world, today):
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "same_county", status=Status.CITY_REVIEW)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.get(reverse("applications:index"))
    todo = response.context["todo"]
    assert [a.enrolment.enterprise.name for a in todo] == ["自有测试企业有限公司"]
    assert "填写分局审核意见" in response.content.decode()
    client.force_login(world.users[Role.CITY_STAFF])
    todo = client.get(reverse("applications:index")).context["todo"]
    assert [a.enrolment.enterprise.name for a in todo] == ["同县测试企业有限公司"]


def names(response):
    return sorted(a.enrolment.enterprise.name for a in response.context["page"])


def test_filters(client, world, today):
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "same_county", status=Status.DRAFT)
    make_application(world, "other_county", status=Status.PASSED, passed=True, result_date=today)
    make_application(world, "other_city", status=Status.RETURNED)
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("applications:index")
    assert names(client.get(url)) == ["同县测试企业有限公司", "外县测试企业有限公司", "自有测试企业有限公司"]
    assert names(client.get(url, {"status": "in_review"})) == ["自有测试企业有限公司"]
    assert names(client.get(url, {"status": "drafting"})) == ["同县测试企业有限公司"]
    assert names(client.get(url, {"status": "passed"})) == ["外县测试企业有限公司"]
    assert names(client.get(url, {"county": "130606"})) == ["外县测试企业有限公司"]
    assert names(client.get(url, {"q": "同县"})) == ["同县测试企业有限公司"]
    uscc = world.enterprises["own"].uscc
    assert names(client.get(url, {"q": uscc[-6:]})) == ["自有测试企业有限公司"]
    assert names(client.get(url, {"kind": Kind.ACCEPTANCE})) == []
    world.enterprises["own"].management_level = ManagementLevel.MUNICIPAL
    world.enterprises["own"].save()
    assert names(client.get(url, {"management_level": "municipal"})) == ["自有测试企业有限公司"]
    response = client.get(url, {"status": "nonsense"})
    assert names(response) == [] and response.context["form"].errors


def test_late_filter_and_flag(client, world):
    from cpaudit.core import clock

    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "same_county", status=Status.PASSED, passed=True,
                     result_date=world.campaign.evaluation_deadline)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("applications:index")
    with clock.frozen(world.campaign.evaluation_deadline):
        assert names(client.get(url, {"late": "on"})) == []
    with clock.frozen(world.campaign.acceptance_deadline):
        response = client.get(url, {"late": "on"})
        assert names(response) == ["自有测试企业有限公司"]
        assert "逾期" in response.content.decode()


def test_province_filters_by_city_level(client, world, today):
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "other_county", status=Status.BRANCH_REVIEW)
    make_application(world, "other_city", status=Status.BRANCH_REVIEW)
    make_application(world, "dingzhou", status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.PROVINCE_STAFF])
    url = reverse("applications:index")
    assert names(client.get(url, {"city": "130600"})) == ["外县测试企业有限公司", "自有测试企业有限公司"]
    assert names(client.get(url, {"city": "130682"})) == ["定州测试企业有限公司"]


def test_pagination(client, world, today, settings):
    settings.CPAUDIT_PAGE_SIZE = 2
    add_applications(world, 5)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.get(reverse("applications:index"), {"page": 3, "sort": "name"})
    assert len(response.context["page"]) == 1 and "第 3 / 3 页" in response.content.decode()


def test_enterprise_sees_its_application_and_the_other_kind(client, world, today):
    app = make_application(world, status=Status.RETURNED, return_reason="缺少附件")
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.get(reverse("applications:index"))
    html = response.content.decode()
    assert reverse("applications:edit", args=[app.pk]) in html and "已退回" in html
    assert "按退回意见修改申请表后重新提交" in html  # in the to-do


def _engage(world, n):
    """n more enterprises that engaged the world's consulting agency."""
    from cpaudit.campaigns.models import AuditMode

    for _ in range(n):
        Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise("130602"),
                                 mode=AuditMode.ENTRUSTED, consulting_agency=world.consulting)


def test_consultant_eligibility_rows_do_not_grow(client, world, today):
    client.force_login(world.users[Role.CONSULTANT])
    _engage(world, 2)
    few = queries(client, reverse("applications:index"))
    _engage(world, 12)
    assert queries(client, reverse("applications:index")) == few


def test_batch_form_queries_do_not_grow(client, world, today):
    client.force_login(world.users[Role.BRANCH_LEADER])
    make_application(world, status=Status.BRANCH_BATCH)
    url = reverse("applications:batch_new") + f"?campaign={world.campaign.slug}&kind=evaluation"
    few = queries(client, url)
    make_application(world, "same_county", status=Status.BRANCH_BATCH)
    for _ in range(4):
        extra = Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise("130602"))
        make_application(world, status=Status.BRANCH_BATCH, enrol=extra)
    assert queries(client, url) == few
    assert client.get(url).content.decode().count('name="applications"') == 6  # all six listed


def test_home_counts_what_awaits_the_user(client, world, today):
    make_application(world, status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("home")).content.decode()
    assert "评估/验收待办" in html and f'href="{reverse("applications:index")}">1</a>' in html
    client.force_login(world.users[Role.BRANCH_LEADER])  # nothing awaits the leader
    assert "评估/验收待办" not in client.get(reverse("home")).content.decode()


def _sheet(response):
    import io

    from openpyxl import load_workbook

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_export_is_the_filtered_list_every_page(client, world, today, settings):
    settings.CPAUDIT_PAGE_SIZE = 2
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "same_county", status=Status.DRAFT)
    make_application(world, "other_county", status=Status.PASSED, passed=True, result_date=today)
    make_application(world, "other_city", status=Status.RETURNED)  # outside 保定: not the city's
    client.force_login(world.users[Role.CITY_STAFF])
    page = client.get(reverse("applications:index"), {"q": "测试"}).content.decode()
    assert f'href="{reverse("applications:index_export")}?q=' in page
    header, rows = _sheet(client.get(reverse("applications:index_export")))
    assert header[:3] == ("企业名称", "统一社会信用代码", "所在县（市、区）") and "逾期" in header
    assert sorted(r[0] for r in rows) == ["同县测试企业有限公司", "外县测试企业有限公司", "自有测试企业有限公司"]
    _, rows = _sheet(client.get(reverse("applications:index_export"), {"status": "passed"}))
    assert [(r[0], r[header.index("状态")]) for r in rows] == [("外县测试企业有限公司", "评估通过")]
    # An enterprise named like a formula is written as text, not run.
    world.enterprises["own"].name = "=HYPERLINK(\"http://x\")"
    world.enterprises["own"].save()
    _, rows = _sheet(client.get(reverse("applications:index_export"), {"status": "in_review"}))
    assert rows[0][0].startswith("'=")


def test_export_queries_do_not_grow(client, world, today):
    client.force_login(world.users[Role.PROVINCE_STAFF])
    add_applications(world, 3)
    few = queries(client, reverse("applications:index_export"))
    add_applications(world, 20)
    assert queries(client, reverse("applications:index_export")) == few

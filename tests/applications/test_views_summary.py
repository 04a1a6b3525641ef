"""The summary: both phases side by side, per county (branch, city) or per city level (province), each
number linking to the filtered index; a fixed number of queries."""

import pytest
from django.urls import reverse

from cpaudit.applications.models import Kind, Status
from cpaudit.org.roles import Role
from tests.querycount import page_queries

from .test_views_index import add_applications, names
from .viewfixtures import make_application

pytestmark = pytest.mark.django_db


def cell(phase, row_name, column):
    columns = ["applied", "drafting", "in_review", "returned", "passed", "failed", "pending", "late"]
    rows = phase["rows"] if row_name != "合计" else None
    cells = next(r["cells"] for r in rows if r["name"] == row_name) if rows else phase["total"]
    return cells[columns.index(column)]


def test_city_summary_per_county_with_links(client, world, today):
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "same_county", status=Status.PASSED, passed=True, result_date=today)
    make_application(world, "other_county", status=Status.DRAFT)
    make_application(world, "other_county", status=Status.BRANCH_REVIEW, kind=Kind.ACCEPTANCE)
    client.force_login(world.users[Role.CITY_STAFF])
    response = client.get(reverse("applications:summary"))
    evaluation, acceptance = response.context["phases"]
    assert evaluation["kind"] == Kind.EVALUATION and evaluation["deadline"] == world.campaign.evaluation_deadline
    assert cell(evaluation, "竞秀区", "applied")["value"] == 2
    assert cell(evaluation, "竞秀区", "passed")["value"] == 1
    assert cell(evaluation, "莲池区", "drafting")["value"] == 1
    assert cell(acceptance, "合计", "in_review")["value"] == 1
    html = response.content.decode()
    assert "还剩" in html and "评估" in html and "验收" in html
    # The number links to exactly the applications it counts.
    href = cell(evaluation, "竞秀区", "applied")["href"]
    assert names(client.get(href)) == ["同县测试企业有限公司", "自有测试企业有限公司"]
    assert names(client.get(cell(evaluation, "竞秀区", "pending")["href"])) == ["自有测试企业有限公司"]
    assert names(client.get(cell(evaluation, "莲池区", "drafting")["href"])) == ["外县测试企业有限公司"]


def test_province_groups_by_city_level(client, world, today):
    make_application(world, status=Status.BRANCH_REVIEW)
    make_application(world, "dingzhou", status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.PROVINCE_LEADER])
    evaluation = client.get(reverse("applications:summary")).context["phases"][0]
    # The province's rows name the city-level agencies; 定州 is its own.
    assert [r["name"] for r in evaluation["rows"]] == [world.baoding.name, world.dingzhou.name]
    assert names(client.get(cell(evaluation, world.dingzhou.name, "applied")["href"])) == ["定州测试企业有限公司"]


def test_late_count_links_to_late_applications(client, world):
    from cpaudit.core import clock

    make_application(world, status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.BRANCH_LEADER])
    with clock.frozen(world.campaign.acceptance_deadline):
        evaluation = client.get(reverse("applications:summary")).context["phases"][0]
        late = cell(evaluation, "竞秀区", "late")
        assert late["value"] == 1 and names(client.get(late["href"])) == ["自有测试企业有限公司"]


def test_summary_queries_do_not_grow(client, world, today):
    client.force_login(world.users[Role.PROVINCE_STAFF])
    add_applications(world, 3)
    add_applications(world, 1, county="130102")
    few = page_queries(client, reverse("applications:summary"))
    add_applications(world, 27)
    add_applications(world, 5, county="130606", status=Status.PASSED)
    assert page_queries(client, reverse("applications:summary")) == few

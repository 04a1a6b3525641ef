"""The registry list broken down and filtered by the six industries and by GB/T 4754 code; the code's
level on the list and the detail page."""

import pytest
from django.urls import reverse

from cpaudit.org.roles import Role

from ..factories import make_enterprise, make_uscc
from .test_views import _count_queries


@pytest.fixture
def mixed(world):
    """Besides the world's five 1511 酒精制造 enterprises: two 造纸, one 印染, one outside, one coarse."""
    made = {
        "paper": make_enterprise("130602", industry="2221", name="造纸甲有限公司"),
        "pulp": make_enterprise("130602", industry="221", name="纸浆乙有限公司"),
        "dyeing": make_enterprise("130606", industry="1713", name="印染丙有限公司"),
        "cars": make_enterprise("130606", industry="3670", name="汽配丁有限公司"),
        "textile": make_enterprise("130606", industry="17", name="纺织戊有限公司"),
    }
    return made


def test_list_breaks_down_by_the_six_industries_and_by_code(world, mixed, login):
    client = login(world.users[Role.CITY_STAFF])  # sees 竞秀区 and 莲池区: world's 3 + 5 above
    context = client.get(reverse("registry:enterprise_list")).context
    groups = dict(context["breakdown"]["groups"])
    assert (groups["酿造"], groups["造纸"], groups["印染"], groups["纺织"]) == (3, 2, 1, 0)
    assert (groups["六行业以外"], groups["代码层级不足"]) == (1, 1)
    classes = {code: (level, n) for code, _, level, n in context["breakdown"]["classes"]}
    assert classes["1511"] == ("小类", 3) and classes["221"] == ("中类", 1) and classes["17"] == ("大类", 1)


@pytest.mark.parametrize(("filters", "names"), [
    ({"group": "造纸"}, {"造纸甲有限公司", "纸浆乙有限公司"}),
    ({"group": "六行业以外"}, {"汽配丁有限公司"}),
    ({"group": "代码层级不足"}, {"纺织戊有限公司"}),
    ({"level": "coarse"}, {"纸浆乙有限公司", "纺织戊有限公司"}),
    ({"industry": "17"}, {"印染丙有限公司", "纺织戊有限公司"}),
    ({"group": "印染", "county": "130606"}, {"印染丙有限公司"}),
])
def test_list_filters_by_group_level_and_code(world, mixed, login, filters, names):
    client = login(world.users[Role.CITY_STAFF])
    page = client.get(reverse("registry:enterprise_list"), filters).context["page"]
    assert {e.name for e in page} == names


def test_list_and_detail_show_the_code_level(world, mixed, login):
    client = login(world.users[Role.CITY_STAFF])
    html = client.get(reverse("registry:enterprise_list"), {"industry": "17"}).content.decode()
    assert "行业代码层级" in html and "层级不足" in html
    html = client.get(reverse("registry:enterprise_detail", args=[mixed["textile"].pk])).content.decode()
    assert "行业代码层级" in html and "是大类（纺织业），涉及六行业中的印染、纺织" in html
    html = client.get(reverse("registry:enterprise_detail", args=[mixed["pulp"].pk])).content.decode()
    assert "可确定属“造纸”行业" in html


def test_breakdown_keeps_a_fixed_number_of_queries(world, login):
    client = login(world.users[Role.PROVINCE_STAFF])
    url = reverse("registry:enterprise_list")
    few = _count_queries(client, url)
    for code in ("2221", "221", "1713", "17", "3670", "2710", "1910", "C"):
        for _ in range(3):
            make_enterprise("130606", industry=code, uscc=make_uscc(prefix="91130606"))
    assert _count_queries(client, url) == few
    assert _count_queries(client, url + "?group=造纸") == few


def test_export_takes_the_group_and_level_filters(world, login):
    from cpaudit.jobs.models import Job

    client = login(world.users[Role.CITY_STAFF])
    client.post(reverse("registry:enterprise_export"), {"group": "造纸", "level": "class", "bogus": "x"})
    assert Job.objects.get().params["filters"] == {"group": "造纸", "level": "class"}


def test_saving_an_enterprise_with_a_coarse_code_warns(world, login):
    client = login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("registry:enterprise_create"), {
        "name": "大类代码有限公司", "uscc": make_uscc(prefix="91130602"), "county": "130602", "address": "地址",
        "legal_representative": "甲", "industry_code": "22", "management_level": "other"}, follow=True)
    assert "所属行业代码“22”是大类（造纸和纸制品业），涉及六行业中的造纸" in response.content.decode()

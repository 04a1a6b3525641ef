"""Options and figures pages: what they show, what they save, their errors, their query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Figures, Option, OptionCategory, OptionStatus, ProductOutput
from cpaudit.progress.services.figures import figures_save

S = OptionStatus
pytestmark = pytest.mark.usefixtures("options_today")


def _list_url(enrolment):
    return reverse("progress:option_list", kwargs={"pk": enrolment.pk})


def _figures_url(enrolment, kind="baseline"):
    return reverse("progress:figures_edit", kwargs={"pk": enrolment.pk, "kind": kind})


def _option_post(**overrides):
    data = {"name": "冷却水循环利用", "source_step": "16", "investment": "12", "category": "", "category_reason": "",
            "planned_date": "2020-09-30", "actual_date": "", "other_pollutant": "",
            "expected_water_t": "3000", "achieved_water_t": ""}
    data.update(overrides)
    return data


# --- list --------------------------------------------------------------------------------------------

def test_list_shows_options_with_units_flags_and_totals(world, options_enrolment, options_make, login):
    options_make(options_enrolment, name="冷凝水回收", status=S.IMPLEMENTED, investment=Decimal("12.50"),
                 actual_date=dt.date(2020, 5, 1), source_step_id=16, expected_water_t=100, achieved_water_t=310,
                 flags=[{"field": "water_t", "label": "节水（吨/年）", "expected": "100", "achieved": "310",
                         "factor": "3"}])
    options_make(options_enrolment, name="变频改造", category=OptionCategory.HIGH, category_reason="整体改造",
                 investment=Decimal("80"), expected_electricity_kwh=50000, achieved_electricity_kwh=10)
    html = login(world.users[Role.BRANCH_STAFF]).get(_list_url(options_enrolment)).content.decode()
    assert "冷凝水回收" in html and "变频改造" in html
    assert "16. 产生方案" in html
    assert "调整理由：整体改造" in html
    assert "节水（吨/年）：100 / 310" in html
    assert "节电（千瓦时/年）：50000 / 10" in html
    assert "实际效益超过预期3倍，请核实" in html
    assert 'class="badge warn"' in html
    assert "12.5" in html and "投资（万元）" in html
    # totals: achieved only from the implemented option (变频改造 is only proposed)
    assert "方案 2 项，其中已实施 1 项；投资合计 92.5 万元，其中已实施 12.5 万元" in html
    assert "<td>节电（千瓦时/年）</td><td class=\"num\">50000</td><td class=\"num\">0</td><td class=\"num\">0</td>" in html


def test_government_reads_without_edit_links_and_recorders_get_them(world, options_enrolment, options_make, login):
    option = options_make(options_enrolment, investment=1)
    edit = reverse("progress:option_edit", kwargs={"pk": option.pk})
    html = login(world.users[Role.CITY_LEADER]).get(_list_url(options_enrolment)).content.decode()
    assert "测试方案" in html and edit not in html and "新增方案" not in html and "填报审核基准年数据" not in html
    html = login(world.users[Role.CONSULTANT]).get(_list_url(options_enrolment)).content.decode()
    assert edit in html and "新增方案" in html and "填报审核基准年数据" in html


def test_list_shows_the_figures_with_per_unit_values(world, options_enrolment, login):
    figures_save(actor=world.users[Role.ENTERPRISE], enrolment=options_enrolment, kind="baseline",
                 data={"year": 2019, "water_use_t": Decimal("150000")},
                 products=[{"name": "啤酒", "unit": "千升", "quantity": Decimal("20000")}])
    html = login(world.users[Role.PROVINCE_STAFF]).get(_list_url(options_enrolment)).content.decode()
    assert "审核基准年数据（2019年）" in html
    assert "啤酒 20000 千升" in html
    assert "新鲜水用量（吨）" in html and "150000" in html
    assert "7.5 <span class=\"unit\">吨/千升</span>" in html


def test_list_of_a_closed_campaign_is_read_only(world, options_enrolment, options_make, login):
    options_make(options_enrolment, investment=1)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    html = login(world.users[Role.ENTERPRISE]).get(_list_url(options_enrolment)).content.decode()
    assert "数据只读" in html and "新增方案" not in html


def _bulk_options(enrolment, n):
    Option.objects.bulk_create([
        Option(enrolment=enrolment, name=f"方案{i}", category=OptionCategory.LOW, investment=i,
               status=S.values[i % 5], source_step_id=16 + i % 5, expected_water_t=10, achieved_water_t=40,
               flags=[{"field": "water_t", "label": "节水（吨/年）", "expected": "10", "achieved": "40", "factor": "3"}])
        for i in range(n)])


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.BRANCH_STAFF])
def test_list_query_count_is_fixed(world, options_enrolment, login, role):
    figures_save(actor=world.users[Role.ENTERPRISE], enrolment=options_enrolment, kind="baseline",
                 data={"year": 2019, "water_use_t": Decimal("1")},
                 products=[{"name": "啤酒", "unit": "千升", "quantity": Decimal("2")},
                           {"name": "麦糟", "unit": "吨", "quantity": Decimal("2")}])
    client = login(world.users[role])
    _bulk_options(options_enrolment, 2)
    client.get(_list_url(options_enrolment))  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(_list_url(options_enrolment)).status_code == 200
    _bulk_options(options_enrolment, 38)
    with CaptureQueriesContext(connection) as large:
        response = client.get(_list_url(options_enrolment))
    assert response.content.decode().count("实际效益超过预期3倍") == 40
    assert len(small) == len(large), [q["sql"] for q in large]


# --- create and edit ---------------------------------------------------------------------------------

def test_create_saves_with_the_suggested_category(world, options_enrolment, login):
    response = login(world.users[Role.ENTERPRISE]).post(reverse("progress:option_create",
                                                                kwargs={"pk": options_enrolment.pk}), _option_post())
    assert response.status_code == 302 and response["Location"] == _list_url(options_enrolment)
    option = Option.objects.get()
    assert (option.name, option.category, option.status, option.source_step_id) == (
        "冷却水循环利用", OptionCategory.LOW, S.PROPOSED, 16)
    assert option.expected_water_t == Decimal("3000")
    assert ActionLog.objects.filter(action="progress.option.created", object_id=str(option.pk)).exists()


def test_create_form_has_no_status_and_names_the_threshold(world, options_enrolment, login):
    html = login(world.users[Role.ENTERPRISE]).get(
        reverse("progress:option_create", kwargs={"pk": options_enrolment.pk})).content.decode()
    assert 'name="status"' not in html
    assert "投资低于50万元为无/低费" in html
    assert "节能（吨标准煤/年）" in html and "经济效益（万元/年）" in html


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"expected_water_t": "-5"}, "expected_water_t", "不能为负数"),
    ({"investment": "-1"}, "investment", "不能为负数"),
    ({"category": "high"}, "category_reason", "须填写调整理由"),
    ({"expected_other_t": "2"}, "other_pollutant", "请注明污染物名称"),
    ({"planned_date": "2019-01-01"}, "planned_date", "不能早于开始审核时间"),
])
def test_create_errors_are_shown_and_nothing_is_saved(world, options_enrolment, login, overrides, field, message):
    response = login(world.users[Role.ENTERPRISE]).post(
        reverse("progress:option_create", kwargs={"pk": options_enrolment.pk}), _option_post(**overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message in response.content.decode()
    assert not Option.objects.exists()


def test_edit_offers_only_the_allowed_statuses(world, options_enrolment, options_make, login):
    option = options_make(options_enrolment, status=S.SCREENED, investment=1)
    response = login(world.users[Role.ENTERPRISE]).get(reverse("progress:option_edit", kwargs={"pk": option.pk}))
    choices = [value for value, _ in response.context["form"].fields["status"].choices]
    assert choices == [S.SCREENED, S.IMPLEMENTING, S.ABANDONED]


def test_edit_moves_the_status_and_shows_the_flag(world, options_enrolment, options_make, login):
    option = options_make(options_enrolment, status=S.IMPLEMENTING, investment=12)
    client = login(world.users[Role.CONSULTANT])
    url = reverse("progress:option_edit", kwargs={"pk": option.pk})
    response = client.post(url, _option_post(status=S.IMPLEMENTED, actual_date="2020-06-01", achieved_water_t="9500"))
    assert response.status_code == 302
    option.refresh_from_db()
    assert option.status == S.IMPLEMENTED and option.actual_date == dt.date(2020, 6, 1)
    assert [f["field"] for f in option.flags] == ["water_t"]  # 9500 > 3 × 3000: flagged, saved
    html = client.get(_list_url(options_enrolment)).content.decode()
    assert "节水（吨/年）：实际效益超过预期3倍，请核实（预期3000，实际9500）" in html


def test_edit_refuses_implemented_without_a_date(world, options_enrolment, options_make, login):
    option = options_make(options_enrolment, status=S.IMPLEMENTING, investment=12)
    response = login(world.users[Role.ENTERPRISE]).post(reverse("progress:option_edit", kwargs={"pk": option.pk}),
                                                        _option_post(status=S.IMPLEMENTED))
    assert response.status_code == 200
    assert "须填写实际完成日期" in response.context["form"].errors["actual_date"][0]
    option.refresh_from_db()
    assert option.status == S.IMPLEMENTING


def test_abandoning_asks_for_the_reason_and_the_list_shows_it(world, options_enrolment, options_make, login):
    option = options_make(options_enrolment, status=S.SCREENED, investment=12)
    client = login(world.users[Role.ENTERPRISE])
    url = reverse("progress:option_edit", kwargs={"pk": option.pk})
    response = client.post(url, _option_post(status=S.ABANDONED))
    assert response.status_code == 200
    assert response.context["form"].errors["abandon_reason"] == ["方案状态为“放弃”时须填写放弃理由"]
    assert Option.objects.get(pk=option.pk).status == S.SCREENED
    assert client.post(url, _option_post(status=S.ABANDONED, abandon_reason="设备已淘汰")).status_code == 302
    assert "放弃理由：设备已淘汰" in client.get(_list_url(options_enrolment)).content.decode()


def test_edit_shows_an_override_as_such(world, options_enrolment, options_make, login):
    auto = options_make(options_enrolment, category=OptionCategory.LOW, investment=10)
    forced = options_make(options_enrolment, category=OptionCategory.HIGH, investment=10, category_reason="分期")
    client = login(world.users[Role.ENTERPRISE])
    form = client.get(reverse("progress:option_edit", kwargs={"pk": auto.pk})).context["form"]
    assert form.initial["category"] == ""
    form = client.get(reverse("progress:option_edit", kwargs={"pk": forced.pk})).context["form"]
    assert form.initial["category"] == OptionCategory.HIGH


def test_an_option_outside_ones_own_is_not_found(world, options_make, login):
    other = Enrolment.objects.get(enterprise=world.enterprises["same_county"], campaign=world.campaign)
    option = options_make(other, investment=1)
    client = login(world.users[Role.ENTERPRISE])
    assert client.get(reverse("progress:option_edit", kwargs={"pk": option.pk})).status_code == 404
    assert client.post(reverse("progress:option_edit", kwargs={"pk": option.pk}),
                       _option_post()).status_code == 404
    assert Option.objects.get(pk=option.pk).name == "测试方案"


def test_government_may_not_post(world, options_enrolment, login):
    response = login(world.users[Role.BRANCH_STAFF]).post(
        reverse("progress:option_create", kwargs={"pk": options_enrolment.pk}), _option_post())
    assert response.status_code == 403 and "填报清洁生产方案" in response.content.decode()
    assert not Option.objects.exists()


def test_closed_campaign_pages_refuse(world, options_enrolment, options_make, login):
    option = options_make(options_enrolment, investment=1)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    client = login(world.users[Role.ENTERPRISE])
    for url in (reverse("progress:option_create", kwargs={"pk": options_enrolment.pk}),
                reverse("progress:option_edit", kwargs={"pk": option.pk}), _figures_url(options_enrolment)):
        response = client.post(url, _option_post())
        assert response.status_code == 403 and "已结束" in response.content.decode(), url
    assert Option.objects.count() == 1 and not Figures.objects.exists()


# --- figures -----------------------------------------------------------------------------------------

def _figures_post(products=(("啤酒", "千升", "20000"),), extra_rows=2, **fields):
    data = {"year": "2019", "water_use_t": "150000", "wastewater_t": "", "energy_tce": "1000",
            "electricity_kwh": "", "cod_t": "", "nh3n_t": "", "hazardous_waste_t": "", "raw_materials": "麦芽"}
    data.update(fields)
    rows = list(products) + [("", "", "")] * extra_rows
    data.update({"products-TOTAL_FORMS": str(len(rows)), "products-INITIAL_FORMS": "0",
                 "products-MIN_NUM_FORMS": "0", "products-MAX_NUM_FORMS": "20"})
    for i, (name, unit, quantity) in enumerate(rows):
        data.update({f"products-{i}-name": name, f"products-{i}-unit": unit, f"products-{i}-quantity": quantity})
    return data


def test_figures_form_shows_product_rows(world, options_enrolment, login):
    response = login(world.users[Role.ENTERPRISE]).get(_figures_url(options_enrolment))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 3
    html = response.content.decode()
    assert "新鲜水用量（吨）" in html and "综合能耗（吨标准煤）" in html and "用电量（千瓦时）" in html
    assert "尚未保存审核基准年数据" in html


def test_figures_post_saves_and_shows_per_unit_values(world, options_enrolment, login):
    client = login(world.users[Role.ENTERPRISE])
    response = client.post(_figures_url(options_enrolment),
                           _figures_post(products=(("啤酒", "千升", "20000"), ("麦糟", "吨", "500"))))
    assert response.status_code == 302 and response["Location"] == _figures_url(options_enrolment)
    figures = Figures.objects.get(kind="baseline")
    assert figures.year == 2019 and figures.water_use_t == Decimal("150000")
    assert list(figures.products.values_list("name", flat=True)) == ["啤酒", "麦糟"]
    response = client.get(_figures_url(options_enrolment))
    html = response.content.decode()
    assert "7.5 <span class=\"unit\">吨/千升</span>" in html
    assert "0.05 <span class=\"unit\">吨标准煤/千升</span>" in html
    assert len(response.context["formset"].forms) == 5  # the two products and three empty rows
    assert response.context["formset"].forms[0].initial == {"name": "啤酒", "unit": "千升", "quantity": "20000"}


def test_figures_post_without_a_product_is_refused(world, options_enrolment, login):
    response = login(world.users[Role.ENTERPRISE]).post(_figures_url(options_enrolment), _figures_post(products=()))
    assert response.status_code == 200
    assert "须至少填写一种主要产品" in response.content.decode()
    assert not Figures.objects.exists() and not ProductOutput.objects.exists()


def test_figures_post_negative_value_is_shown_on_its_field(world, options_enrolment, login):
    response = login(world.users[Role.ENTERPRISE]).post(_figures_url(options_enrolment),
                                                        _figures_post(cod_t="-1"))
    assert response.status_code == 200
    assert "不能为负数" in response.context["form"].errors["cod_t"][0]
    assert not Figures.objects.exists()


def test_after_figures_page(world, options_enrolment, login):
    client = login(world.users[Role.CONSULTANT])
    client.post(_figures_url(options_enrolment), _figures_post())
    response = client.post(_figures_url(options_enrolment, "after"), _figures_post(year="2020", products=()))
    assert response.status_code == 302
    assert Figures.objects.get(kind="after").year == 2020


def test_unknown_figures_kind_is_not_a_url(world, options_enrolment, login):
    response = login(world.users[Role.ENTERPRISE]).get(f"/progress/enrolments/{options_enrolment.pk}/figures/mid/")
    assert response.status_code == 404


def test_after_figures_page_asks_for_the_investment_total_and_the_list_shows_the_flags(world, options_enrolment,
                                                                                       options_make, login):
    client = login(world.users[Role.ENTERPRISE])
    assert "implemented_investment_wan" not in client.get(_figures_url(options_enrolment)).context["form"].fields
    client.post(_figures_url(options_enrolment), _figures_post())
    options_make(options_enrolment, name="中水回用", category=OptionCategory.HIGH, investment=80,
                 status=S.IMPLEMENTED, actual_date=dt.date(2020, 6, 1))
    response = client.post(_figures_url(options_enrolment, "after"),
                           _figures_post(year="2020", products=(), implemented_investment_wan="95"))
    assert response.status_code == 302
    assert Figures.objects.get(kind="after").implemented_investment_wan == Decimal("95")
    html = client.get(_list_url(options_enrolment)).content.decode()
    assert "已实施方案总投资：95 万元（方案清单中已实施方案合计 80 万元）" in html
    assert "数据一致性提示" in html
    assert "填报的已实施方案总投资为95 万元，方案清单中1项已实施方案的投资合计为80 万元，相差15 万元" in html

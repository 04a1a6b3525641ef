"""Baseline and after-implementation figures: validation, product rows, log, rights, per-unit values."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Figures, ProductOutput
from cpaudit.progress.services.figures import FIGURE_FIELDS, figures_save, per_unit

pytestmark = pytest.mark.usefixtures("options_today")
BEER = {"name": "啤酒", "unit": "千升", "quantity": Decimal("20000")}


def _save(world, enrolment, kind="baseline", products=None, actor=None, **data):
    data.setdefault("year", 2019)
    return figures_save(actor=actor or world.users[Role.ENTERPRISE], enrolment=enrolment, kind=kind, data=data,
                        products=[BEER] if products is None else products)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_baseline_is_saved_with_its_products(world, options_enrolment):
    figures = _save(world, options_enrolment, water_use_t=Decimal("150000"), cod_t=Decimal("12.5"),
                    raw_materials="麦芽 3000吨",
                    products=[BEER, {"name": "", "unit": "", "quantity": None},
                              {"name": "麦糟", "unit": "吨", "quantity": Decimal("0")}])
    figures.refresh_from_db()
    assert figures.kind == Figures.Kind.BASELINE and figures.year == 2019
    assert figures.water_use_t == Decimal("150000") and figures.cod_t == Decimal("12.5")
    assert figures.recorded_by == world.users[Role.ENTERPRISE]
    assert [(p.name, p.unit, p.quantity) for p in figures.products.all()] == [
        ("啤酒", "千升", Decimal("20000")), ("麦糟", "吨", Decimal("0"))]
    entry = ActionLog.objects.get(action="progress.figures.saved")
    assert entry.object_id == str(figures.pk)
    assert entry.changes["water_use_t"] == [None, "150000.0000"]
    assert entry.changes["products"] == [None, ["啤酒：20000.0000 千升", "麦糟：0.0000 吨"]]
    assert entry.data["kind"] == "baseline"


def test_saving_again_replaces_the_products_and_logs_old_and_new(world, options_enrolment):
    _save(world, options_enrolment, water_use_t=Decimal("100"))
    figures = _save(world, options_enrolment, water_use_t=Decimal("90"),
                    products=[{"name": "啤酒", "unit": "千升", "quantity": Decimal("21000")}])
    assert Figures.objects.count() == 1
    assert list(ProductOutput.objects.values_list("quantity", flat=True)) == [Decimal("21000")]
    assert figures.products.count() == 1
    entry = ActionLog.objects.filter(action="progress.figures.saved").order_by("-seq").first()
    assert entry.changes["water_use_t"] == ["100.0000", "90.0000"]
    assert entry.changes["products"] == [["啤酒：20000.0000 千升"], ["啤酒：21000.0000 千升"]]


def test_saving_the_same_figures_writes_nothing(world, options_enrolment):
    _save(world, options_enrolment, water_use_t=Decimal("100"))
    before = ActionLog.objects.count()
    _save(world, options_enrolment, water_use_t="100.00",
          products=[{"name": "啤酒", "unit": "千升", "quantity": "20000"}])
    assert ActionLog.objects.count() == before


def test_baseline_needs_a_product(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, products=[{"name": "", "unit": "", "quantity": None}])
    assert set(_errors(excinfo)) == {"products"}
    assert not Figures.objects.exists()


def test_after_implementation_may_come_without_products(world, options_enrolment):
    _save(world, options_enrolment)
    figures = _save(world, options_enrolment, kind="after", year=2020, products=[], water_use_t=Decimal("1"))
    assert figures.kind == Figures.Kind.AFTER and not figures.products.exists()


def test_the_implemented_investment_total_goes_with_the_after_figures(world, options_enrolment):
    _save(world, options_enrolment)
    figures = _save(world, options_enrolment, kind="after", year=2020, products=[],
                    implemented_investment_wan="350.5")
    figures.refresh_from_db()
    assert figures.implemented_investment_wan == Decimal("350.50")
    entry = ActionLog.objects.filter(action="progress.figures.saved").order_by("-seq").first()
    assert entry.changes["implemented_investment_wan"] == [None, "350.50"]
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, kind="after", year=2020, products=[], implemented_investment_wan="1.234")
    assert _errors(excinfo) == {"implemented_investment_wan": ["已实施方案总投资（万元）最多保留2位小数"]}


def test_the_baseline_refuses_an_investment_total(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, implemented_investment_wan="10")
    assert _errors(excinfo) == {"implemented_investment_wan": [
        "已实施方案总投资（万元）随方案实施后数据填写，审核基准年数据不填"]}
    assert not Figures.objects.exists()


@pytest.mark.parametrize(("row", "message"), [
    ({"name": "啤酒", "unit": "", "quantity": Decimal("1")}, "计量单位"),
    ({"name": "", "unit": "吨", "quantity": Decimal("1")}, "产品名称"),
    ({"name": "啤酒", "unit": "千升", "quantity": None}, "产量"),
    ({"name": "啤酒", "unit": "千升", "quantity": Decimal("-1")}, "不能为负数"),
])
def test_incomplete_or_negative_product_rows(world, options_enrolment, row, message):
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, products=[BEER, row])
    assert set(_errors(excinfo)) == {"products"}
    assert "第2行" in _errors(excinfo)["products"][0] and message in _errors(excinfo)["products"][0]


@pytest.mark.parametrize("field", FIGURE_FIELDS)
def test_negative_figures_are_refused_per_field(world, options_enrolment, field):
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, **{field: Decimal("-0.5")})
    assert set(_errors(excinfo)) == {field}
    assert "不能为负数" in _errors(excinfo)[field][0]
    assert not Figures.objects.exists()


@pytest.mark.parametrize(("kind", "year", "today"), [
    ("baseline", None, "2020-06-30"),  # required
    ("baseline", "二〇一九", "2020-06-30"),
    ("baseline", 1999, "2020-06-30"),
    ("baseline", 2021, "2020-06-30"),  # in the future
    ("baseline", 2021, "2022-03-01"),  # after the campaign year 2020
    ("baseline", 2014, "2020-06-30"),  # more than 5 years before the campaign
    ("after", 2019, "2020-06-30"),  # not after the baseline year 2019
    ("after", 2021, "2020-06-30"),  # in the future
])
def test_implausible_years(world, options_enrolment, settings, kind, year, today):
    if kind == "after":
        _save(world, options_enrolment, year=2019)
    settings.CPAUDIT_TODAY = today
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, kind=kind, year=year)
    assert set(_errors(excinfo)) == {"year"}


def test_plausible_years(world, options_enrolment):
    assert _save(world, options_enrolment, year=2015).year == 2015
    assert _save(world, options_enrolment, kind="after", year=2020).year == 2020
    with pytest.raises(ValidationError) as excinfo:  # the baseline must stay before the after year
        _save(world, options_enrolment, year=2020)
    assert set(_errors(excinfo)) == {"year"}


def test_unknown_kind(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment, kind="midterm")
    assert set(_errors(excinfo)) == {"kind"}


def test_closed_campaign_refuses(world, options_enrolment):
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(ValidationError) as excinfo:
        _save(world, options_enrolment)
    assert "已结束" in excinfo.value.messages[0]
    assert not Figures.objects.exists() and not ActionLog.objects.filter(action="progress.figures.saved").exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT])
def test_enterprise_and_consultant_record(world, options_enrolment, role):
    assert _save(world, options_enrolment, actor=world.users[role]).recorded_by == world.users[role]


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.EXPERT,
                                  Role.SECURITY_ADMIN])
def test_government_and_others_may_not_record(world, options_enrolment, role):
    with pytest.raises(PermissionDenied):
        _save(world, options_enrolment, actor=world.users[role])
    assert not Figures.objects.exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT])
def test_not_for_someone_elses_enrolment(world, role):
    enrolment = Enrolment.objects.get(enterprise=world.enterprises["other_county"], campaign=world.campaign)
    with pytest.raises(PermissionDenied):
        _save(world, enrolment, actor=world.users[role])
    assert not Figures.objects.exists()


# --- per unit ----------------------------------------------------------------------------------------

def test_per_unit_uses_the_first_product(world, options_enrolment):
    figures = _save(world, options_enrolment, water_use_t=Decimal("150000"), energy_tce=Decimal("1000"),
                    electricity_kwh=Decimal("1"), cod_t=None,
                    products=[{"name": "啤酒", "unit": "千升", "quantity": Decimal("20000")},
                              {"name": "麦糟", "unit": "吨", "quantity": Decimal("1")}])
    values = per_unit(Figures.objects.get(pk=figures.pk))
    assert values["water_use_t"].value == Decimal("7.5")
    assert values["water_use_t"].unit == "吨/千升"
    assert values["water_use_t"].label == "单位产品新鲜水用量"
    assert values["energy_tce"].value == Decimal("0.05")
    assert values["energy_tce"].unit == "吨标准煤/千升"
    assert values["electricity_kwh"].value == Decimal("0.00005")
    assert values["cod_t"].value is None  # no figure
    assert set(values) == set(FIGURE_FIELDS)


def test_per_unit_has_six_significant_digits(world, options_enrolment):
    figures = _save(world, options_enrolment, water_use_t=Decimal("1000"),
                    products=[{"name": "纸", "unit": "吨", "quantity": Decimal("3")}])
    assert per_unit(figures)["water_use_t"].value == Decimal("333.333")


def test_per_unit_is_none_for_a_zero_quantity(world, options_enrolment):
    figures = _save(world, options_enrolment, water_use_t=Decimal("1000"),
                    products=[{"name": "纸", "unit": "吨", "quantity": Decimal("0")},
                              {"name": "浆", "unit": "吨", "quantity": Decimal("5")}])
    assert all(v.value is None for v in per_unit(figures).values())


def test_per_unit_without_products_or_figures(world, options_enrolment):
    assert all(v.value is None for v in per_unit(None).values())
    _save(world, options_enrolment)
    after = _save(world, options_enrolment, kind="after", year=2020, products=[], water_use_t=Decimal("10"))
    assert per_unit(after)["water_use_t"].value is None


def test_per_unit_after_prefetch_needs_no_query(world, options_enrolment, django_assert_num_queries):
    _save(world, options_enrolment, water_use_t=Decimal("10"))
    figures = Figures.objects.prefetch_related("products").get()
    with django_assert_num_queries(0):
        assert per_unit(figures)["water_use_t"].value == Decimal("0.0005")


def test_the_current_year_is_allowed(world, options_enrolment):
    with clock.frozen(dt.date(2020, 12, 31)):
        assert _save(world, options_enrolment, kind="baseline", year=2020).year == 2020

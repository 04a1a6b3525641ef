"""Consistency checks on an enterprise's own figures (services.consistency through selectors.consistency):
each fires on crafted data with the numbers it compared in its message, and stays silent on consistent
data; the bulk read runs a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.progress.models import Figures, OptionCategory, OptionStatus, ProductOutput
from cpaudit.progress.selectors.consistency import (
    IMPLEMENTED_BEFORE_EVALUATION,
    consistency_flags,
    flags_for_enrolments,
    option_flags,
)
from cpaudit.progress.services import consistency as checks

S = OptionStatus


@pytest.fixture
def enrolment(world):
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])


def figures(enrolment, kind, year, product=("纯棉坯布", "吨", 1000), **values):
    made = Figures.objects.create(enrolment=enrolment, kind=kind, year=year, **values)
    if product:
        ProductOutput.objects.create(figures=made, name=product[0], unit=product[1], quantity=product[2])
    return made


def implemented(options_make, enrolment, name="中水回用工程", category=OptionCategory.HIGH, investment=80,
                day=dt.date(2020, 6, 1), **benefits):
    return options_make(enrolment, name=name, category=category, investment=investment, status=S.IMPLEMENTED,
                        actual_date=day, **benefits)


def codes(flags):
    return [f.code for f in flags]


def evaluated(world, enrolment, day=dt.date(2020, 5, 1), status=Status.PASSED):
    return Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.EVALUATION,
                                      status=status, passed=status == Status.PASSED, result_date=day)


# --- achieved savings larger than the baseline -------------------------------------------------------

def test_saving_larger_than_the_baseline_names_both_figures(world, enrolment, options_make):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, water_use_t=10000, cod_t=Decimal("2.5"))
    implemented(options_make, enrolment, achieved_water_t=11000)
    implemented(options_make, enrolment, name="冷却水循环回用", category=OptionCategory.LOW, investment=3,
                achieved_water_t=500, achieved_cod_t=Decimal("2.5"))
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.SAVING_EXCEEDS_BASELINE]
    assert flags[0].message == (
        "已实施方案申报的实际节水合计11500 吨/年（2项方案，其中「中水回用工程」一项即为11000 吨/年），"
        "大于审核基准年（2019年）新鲜水用量10000 吨：节约或削减量不应超过基准年的新鲜水用量，请核实")
    assert flags[0].severity == checks.CONTRADICTION
    assert flags[0].numbers == {"figure": "water_use_t", "unit": "吨", "baseline": Decimal("10000"),
                                "baseline_year": 2019, "achieved": Decimal("11500"), "options": 2}


def test_a_saving_of_a_figure_not_recorded_or_not_implemented_is_not_compared(world, enrolment, options_make):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, energy_tce=100)  # no water figure: nothing to compare
    implemented(options_make, enrolment, achieved_water_t=11000, achieved_energy_tce=100)  # equal: allowed
    options_make(enrolment, name="光伏发电", category=OptionCategory.HIGH, status=S.ABANDONED,
                 abandon_reason="投资过大", expected_energy_tce=500)
    assert consistency_flags(enrolment) == []


def test_electricity_is_compared_with_electricity_only(world, enrolment, options_make):
    """节电 in kWh against 用电量; 综合能耗 (tce) is another quantity and is not converted."""
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, energy_tce=10, electricity_kwh=50000)
    implemented(options_make, enrolment, achieved_electricity_kwh=60000)
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.SAVING_EXCEEDS_BASELINE]
    assert "实际节电合计60000 千瓦时/年（1项方案）" in flags[0].message and "用电量50000 千瓦时" in flags[0].message


# --- baseline vs after implementation vs the options' savings --------------------------------------

def test_after_figures_that_do_not_show_the_claimed_saving(world, enrolment, options_make):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, water_use_t=100000, product=("纯棉坯布", "吨", 1000))
    figures(enrolment, Figures.Kind.AFTER, 2020, water_use_t=99000, product=("纯棉坯布", "吨", 1100))
    implemented(options_make, enrolment, achieved_water_t=30000)
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.BALANCE_MISMATCH]
    # baseline scaled to the after year's output: 100000 × 1100 / 1000 = 110000; 99000 + 30000 − 110000 = 19000
    assert flags[0].message == (
        "新鲜水用量：审核基准年（2019年）100000 吨，方案实施后（2020年）99000 吨；按主要产品「纯棉坯布」产量折算"
        "（2019年1000 吨，2020年1100 吨），基准年新鲜水用量相当于110000 吨；已实施方案申报实际节水合计30000 吨/年。"
        "实施后数值加节约量应约等于基准年数值，两者相差19000 吨，超过允许偏差10%（11000 吨）："
        "实施后数据未体现所申报的节约量，请核实")
    numbers = flags[0].numbers
    assert (numbers["scaled_baseline"], numbers["difference"], numbers["tolerance_percent"]) == (
        Decimal("110000"), Decimal("19000"), Decimal("10"))


def test_after_figures_falling_far_more_than_claimed_without_a_common_product(world, enrolment, options_make):
    """Different first products: no scaling, the figures compare as they are."""
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, energy_tce=1000, product=("坯布", "吨", 1000))
    figures(enrolment, Figures.Kind.AFTER, 2020, energy_tce=600, product=("色织布", "万米", 80))
    implemented(options_make, enrolment, achieved_energy_tce=100)
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.BALANCE_MISMATCH]
    assert flags[0].message == (
        "综合能耗：审核基准年（2019年）1000 吨标准煤，方案实施后（2020年）600 吨标准煤；已实施方案申报实际节能合计"
        "100 吨标准煤/年。实施后数值加节约量应约等于基准年数值，两者相差300 吨标准煤，超过允许偏差10%（100 吨标准煤）："
        "实施后的降幅大于所申报的节约量，请核实")


def test_balanced_figures_within_the_tolerance_are_silent(world, enrolment, options_make):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, water_use_t=100000, cod_t=10, product=("纸", "吨", 1000))
    figures(enrolment, Figures.Kind.AFTER, 2020, water_use_t=85000, cod_t=7, product=("纸", "吨", 1050),
            implemented_investment_wan=Decimal("83.50"))
    implemented(options_make, enrolment, achieved_water_t=20000, achieved_cod_t=3)  # 85000+20000 vs 105000
    implemented(options_make, enrolment, name="照明改造", category=OptionCategory.LOW, investment=Decimal("3.5"))
    assert consistency_flags(enrolment) == []


def test_the_tolerance_is_a_setting(world, enrolment, options_make, settings):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.BASELINE, 2019, water_use_t=100000, product=None)
    figures(enrolment, Figures.Kind.AFTER, 2020, water_use_t=90000, product=None)
    implemented(options_make, enrolment, achieved_water_t=4000)  # 94000 against 100000: 6%
    assert consistency_flags(enrolment) == []
    settings.CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT = 5
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.BALANCE_MISMATCH] and "超过允许偏差5%（5000 吨）" in flags[0].message
    settings.CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT = 150
    with pytest.raises(Exception, match="CPAUDIT_CONSISTENCY_TOLERANCE_PERCENT 应为0至100之间的整数"):
        consistency_flags(enrolment)


# --- investment total of the option list against the figures ----------------------------------------

def test_investment_total_that_differs_from_the_option_list(world, enrolment, options_make):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.AFTER, 2020, implemented_investment_wan=Decimal("350"))
    implemented(options_make, enrolment, investment=Decimal("300.50"))
    implemented(options_make, enrolment, name="照明改造", category=OptionCategory.LOW, investment=Decimal("19.5"))
    options_make(enrolment, name="光伏发电", category=OptionCategory.HIGH, investment=500, status=S.SCREENED)
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.INVESTMENT_MISMATCH]
    assert flags[0].message == ("方案实施后数据（2020年）填报的已实施方案总投资为350 万元，方案清单中2项已实施方案的"
                                "投资合计为320 万元，相差30 万元，请核实")
    assert flags[0].numbers["difference"] == Decimal("30")


def test_no_stated_investment_total_is_nothing_to_compare(world, enrolment, options_make):
    evaluated(world, enrolment)
    figures(enrolment, Figures.Kind.AFTER, 2020)
    implemented(options_make, enrolment, investment=300)
    assert consistency_flags(enrolment) == []


# --- benefits claimed for options not implemented ------------------------------------------------------

def test_benefits_claimed_for_options_not_implemented(world, enrolment, options_make):
    options_make(enrolment, name="浆料回收", status=S.IMPLEMENTING, achieved_water_t=500,
                 achieved_economic_wan=Decimal("3.2"), achieved_energy_tce=0)
    options_make(enrolment, name="余热回收", status=S.ABANDONED, abandon_reason="停产", achieved_energy_tce=12)
    options_make(enrolment, name="照明改造", status=S.SCREENED, expected_energy_tce=5)  # expected only: fine
    flags = consistency_flags(enrolment)
    assert codes(flags) == [checks.BENEFIT_NOT_IMPLEMENTED] * 2
    assert flags[0].message == ("方案「浆料回收」状态为“实施中”，却填报了实际效益：节水500 吨/年、经济效益3.2 万元/年；"
                                "未实施完成的方案不应有实际效益，请核实")
    assert flags[1].message.startswith("方案「余热回收」状态为“放弃”，却填报了实际效益：节能12 吨标准煤/年")


# --- 中/高费 options still open when 验收 is applied for ------------------------------------------------

def test_open_high_options_at_acceptance(world, enrolment, options_make):
    evaluated(world, enrolment)
    options_make(enrolment, name="中水回用工程", category=OptionCategory.HIGH, status=S.IMPLEMENTING)
    options_make(enrolment, name="光伏发电", category=OptionCategory.HIGH, status=S.ABANDONED)  # no reason
    options_make(enrolment, name="余热回收", category=OptionCategory.HIGH, status=S.ABANDONED, abandon_reason="停产")
    options_make(enrolment, name="照明改造", category=OptionCategory.LOW, status=S.PROPOSED)
    flags = consistency_flags(enrolment, Kind.ACCEPTANCE)
    assert codes(flags) == [checks.HIGH_OPTION_OPEN_AT_ACCEPTANCE]
    assert flags[0].severity == checks.BLOCKING
    assert flags[0].message == ("申请验收时仍有2项中/高费方案未完成：「中水回用工程」（实施中）、「光伏发电」（已放弃但未填写理由）；"
                                "中/高费方案须已实施，或填写理由后放弃，方可申请验收")
    assert consistency_flags(enrolment, Kind.EVALUATION) == []
    assert consistency_flags(enrolment) == []  # the branch: no 验收 applied for yet
    Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.ACCEPTANCE,
                               status=Status.BRANCH_REVIEW, submitted_at=dt.datetime(2020, 9, 1, tzinfo=dt.UTC))
    assert codes(consistency_flags(enrolment)) == [checks.HIGH_OPTION_OPEN_AT_ACCEPTANCE]


def test_the_open_options_are_those_the_acceptance_blockers_name(world, enrolment, options_make):
    from cpaudit.progress.selectors.readiness import open_high_options

    for status in S.values:
        options_make(enrolment, name=f"方案{status}", category=OptionCategory.HIGH, status=status,
                     abandon_reason="停产" if status == S.ABANDONED else "")
    options_make(enrolment, name="无理由放弃", category=OptionCategory.HIGH, status=S.ABANDONED)
    flag = consistency_flags(enrolment, Kind.ACCEPTANCE)[0]
    assert flag.numbers["options"] == open_high_options([enrolment.pk])[enrolment.pk]
    assert len(flag.numbers["options"]) == 4


# --- 中/高费 options implemented before the 评估 ---------------------------------------------------------

def test_implemented_before_the_evaluation_passed_is_flagged_with_both_dates(world, enrolment, options_make):
    evaluated(world, enrolment, dt.date(2020, 7, 10))
    implemented(options_make, enrolment, "中水回用工程", day=dt.date(2020, 6, 1))
    implemented(options_make, enrolment, "余热回收", day=dt.date(2020, 7, 10))  # the same day: after the decision
    implemented(options_make, enrolment, "光伏发电", day=dt.date(2020, 8, 1))
    implemented(options_make, enrolment, "照明改造", day=dt.date(2020, 5, 1), category=OptionCategory.LOW)
    options_make(enrolment, name="浆料回收", category=OptionCategory.HIGH, status=S.IMPLEMENTING)
    message = ("中/高费方案「中水回用工程」实际完成日期为2020年6月1日，早于评估通过日期（2020年7月10日）："
               "中/高费方案应在评估通过后实施，请核实")
    assert option_flags(enrolment, Kind.ACCEPTANCE) == [{"code": IMPLEMENTED_BEFORE_EVALUATION, "message": message}]
    flags = consistency_flags(enrolment)  # the branch's view: no 验收 applied for, 浆料回收 may stay open
    assert [(f.code, f.severity, f.message) for f in flags] == [
        (IMPLEMENTED_BEFORE_EVALUATION, checks.ATTENTION, message)]
    assert flags[0].numbers == {"option": "中水回用工程", "actual_date": dt.date(2020, 6, 1),
                                "evaluation_passed_on": dt.date(2020, 7, 10)}


def test_implemented_while_the_evaluation_has_not_passed(world, enrolment, options_make):
    evaluated(world, enrolment, dt.date(2020, 7, 10), status=Status.FAILED)  # a failed one does not count
    implemented(options_make, enrolment, "中水回用工程", day=dt.date(2020, 6, 1))
    flags = option_flags(enrolment, Kind.EVALUATION)
    assert [f["code"] for f in flags] == [IMPLEMENTED_BEFORE_EVALUATION]
    assert flags[0]["message"] == ("中/高费方案「中水回用工程」实际完成日期为2020年6月1日，而本次申请的评估尚未通过："
                                   "中/高费方案应在评估通过后实施，请核实")
    assert "而该企业的评估尚未通过" in consistency_flags(enrolment)[0].message


def test_a_closed_campaign_without_a_recorded_evaluation_is_not_flagged_for_the_branch(world, enrolment,
                                                                                      options_make):
    """Audits done before the platform recorded their 评估: no date to hold the options against."""
    implemented(options_make, enrolment, "中水回用工程", day=dt.date(2020, 6, 1))
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    assert consistency_flags(enrolment) == []
    assert codes(consistency_flags(enrolment, Kind.EVALUATION)) == [IMPLEMENTED_BEFORE_EVALUATION]


def test_nothing_to_flag(world, enrolment, options_make, django_assert_num_queries):
    options_make(enrolment, name="浆料回收", category=OptionCategory.HIGH, status=S.SCREENED)
    with django_assert_num_queries(2):
        assert option_flags(enrolment, Kind.EVALUATION) == []


# --- many enrolments at once ---------------------------------------------------------------------------

def _crafted(world, n, options_make):
    """n enrolments, each with figures, products and options that trip every check."""
    from tests.factories import make_enterprise

    enrolments = []
    for i in range(n):
        enrolment = Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise(name=f"批量企业{i}"))
        figures(enrolment, Figures.Kind.BASELINE, 2019, water_use_t=100)
        figures(enrolment, Figures.Kind.AFTER, 2020, water_use_t=100, implemented_investment_wan=1)
        implemented(options_make, enrolment, achieved_water_t=150)
        options_make(enrolment, name="在建", category=OptionCategory.HIGH, status=S.IMPLEMENTING, achieved_water_t=1)
        evaluated(world, enrolment, dt.date(2020, 7, 1))
        Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.ACCEPTANCE,
                                   status=Status.CITY_REVIEW, submitted_at=dt.datetime(2020, 9, 1, tzinfo=dt.UTC))
        enrolments.append(enrolment)
    return enrolments


def test_bulk_flags_in_a_fixed_number_of_queries(world, options_make, django_assert_num_queries):
    few = _crafted(world, 2, options_make)
    many = few + _crafted(world, 6, options_make)
    with django_assert_num_queries(5):
        small = flags_for_enrolments([e.pk for e in few])
    with django_assert_num_queries(5):
        large = flags_for_enrolments([e.pk for e in many])
    expected = [checks.SAVING_EXCEEDS_BASELINE, checks.BALANCE_MISMATCH, checks.INVESTMENT_MISMATCH,
                checks.BENEFIT_NOT_IMPLEMENTED, checks.HIGH_OPTION_OPEN_AT_ACCEPTANCE,
                IMPLEMENTED_BEFORE_EVALUATION]
    assert all(codes(flags) == expected for flags in list(small.values()) + list(large.values()))
    assert set(large) == {e.pk for e in many}
    assert flags_for_enrolments([]) == {}

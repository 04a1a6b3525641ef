"""Options (清洁生产方案): category suggestion and override, status vocabulary, dates, numbers, flags,
rights, log."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import BENEFITS, Option, OptionCategory, OptionStatus
from cpaudit.progress.services.options import option_save, suggest_category

S = OptionStatus
pytestmark = pytest.mark.usefixtures("options_today")


def _ent(world):
    return world.users[Role.ENTERPRISE]


def _create(world, enrolment, **data):
    data.setdefault("name", "冷凝水回收")
    data.setdefault("investment", Decimal("10"))
    return option_save(actor=_ent(world), enrolment=enrolment, data=data)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- category ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("investment", "expected"), [
    ("0", OptionCategory.LOW), ("49.99", OptionCategory.LOW), ("50", OptionCategory.HIGH),
    ("50.01", OptionCategory.HIGH), ("1200", OptionCategory.HIGH), (None, OptionCategory.LOW),
])
def test_suggestion_against_default_threshold(world, investment, expected):
    assert world.campaign.fee_threshold == 50
    assert suggest_category(Decimal(investment) if investment else None, world.campaign) == expected


def test_suggestion_follows_the_campaign_threshold(world):
    world.campaign.fee_threshold = Decimal("20")
    assert suggest_category(Decimal("19.99"), world.campaign) == OptionCategory.LOW
    assert suggest_category(Decimal("20"), world.campaign) == OptionCategory.HIGH


@pytest.mark.parametrize(("investment", "category"), [("10", OptionCategory.LOW), ("50", OptionCategory.HIGH),
                                                      ("80", OptionCategory.HIGH)])
def test_category_defaults_to_the_suggestion(world, options_enrolment, investment, category):
    option = _create(world, options_enrolment, investment=Decimal(investment), category="")
    assert option.category == category
    assert option.category_reason == ""


def test_override_needs_a_reason(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, investment=Decimal("10"), category=OptionCategory.HIGH)
    assert set(_errors(excinfo)) == {"category_reason"}
    assert "调整理由" in _errors(excinfo)["category_reason"][0]
    assert not Option.objects.exists()


def test_override_with_a_reason_is_kept(world, options_enrolment):
    option = _create(world, options_enrolment, investment=Decimal("10"), category=OptionCategory.HIGH,
                     category_reason="属工艺改造，分期投入")
    option.refresh_from_db()
    assert option.category == OptionCategory.HIGH
    assert option.category_reason == "属工艺改造，分期投入"


def test_a_reason_for_the_suggested_category_is_dropped(world, options_enrolment):
    option = _create(world, options_enrolment, investment=Decimal("10"), category=OptionCategory.LOW,
                     category_reason="无需理由")
    assert option.category_reason == ""


def test_raising_the_investment_past_the_threshold_needs_a_reason_for_the_old_category(world, options_enrolment):
    option = _create(world, options_enrolment, investment=Decimal("10"))
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option, data={"investment": "60"})
    assert "category_reason" in _errors(excinfo)


# --- status ------------------------------------------------------------------------------------------

ALLOWED = {
    (S.PROPOSED, S.SCREENED), (S.SCREENED, S.IMPLEMENTING), (S.IMPLEMENTING, S.IMPLEMENTED),
    (S.PROPOSED, S.ABANDONED), (S.SCREENED, S.ABANDONED), (S.IMPLEMENTING, S.ABANDONED),
} | {(s, s) for s in S.values}
PAIRS = [(a, b) for a in S.values for b in S.values]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_status_transitions(world, options_enrolment, options_make, current, target):
    option = options_make(options_enrolment, status=current, investment=10,
                          actual_date=dt.date(2020, 5, 1) if current == S.IMPLEMENTED else None)
    data = {"status": target}
    if target == S.ABANDONED:
        data["abandon_reason"] = "投资回收期过长，暂不实施"
    if target == S.IMPLEMENTED:
        data["actual_date"] = dt.date(2020, 5, 1)
    elif current == S.IMPLEMENTED:
        data["actual_date"] = None
    if (current, target) in ALLOWED:
        saved = option_save(actor=_ent(world), enrolment=options_enrolment, option=option, data=data)
        assert Option.objects.get(pk=saved.pk).status == target
    else:
        with pytest.raises(ValidationError) as excinfo:
            option_save(actor=_ent(world), enrolment=options_enrolment, option=option, data=data)
        assert set(_errors(excinfo)) == {"status"}
        assert Option.objects.get(pk=option.pk).status == current


@pytest.mark.parametrize("current", [S.PROPOSED, S.SCREENED, S.IMPLEMENTING])
def test_abandoning_needs_a_reason(world, options_enrolment, options_make, current):
    option = options_make(options_enrolment, status=current, investment=60, category=OptionCategory.HIGH)
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                    data={"status": S.ABANDONED, "abandon_reason": "  "})
    assert _errors(excinfo) == {"abandon_reason": ["方案状态为“放弃”时须填写放弃理由"]}
    assert Option.objects.get(pk=option.pk).status == current
    option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                data={"status": S.ABANDONED, "abandon_reason": " 场地受限，改用其他方案 "})
    option.refresh_from_db()
    assert (option.status, option.abandon_reason) == (S.ABANDONED, "场地受限，改用其他方案")
    entry = ActionLog.objects.filter(action="progress.option.updated").latest("seq")
    assert entry.changes["abandon_reason"] == ["", "场地受限，改用其他方案"]


def test_a_reason_to_abandon_belongs_to_an_abandoned_option(world, options_enrolment, options_make):
    option = options_make(options_enrolment, status=S.SCREENED, investment=10)
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                    data={"status": S.IMPLEMENTING, "abandon_reason": "不需要"})
    assert _errors(excinfo) == {"abandon_reason": ["只有状态为“放弃”的方案才填写放弃理由"]}


@pytest.mark.parametrize("status", [S.SCREENED, S.IMPLEMENTING, S.IMPLEMENTED, S.ABANDONED])
def test_a_new_option_starts_as_proposed(world, options_enrolment, status):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, status=status, actual_date=dt.date(2020, 5, 1))
    assert "status" in _errors(excinfo)
    option = _create(world, options_enrolment)
    assert option.status == S.PROPOSED


def test_implemented_needs_the_actual_date(world, options_enrolment, options_make):
    option = options_make(options_enrolment, status=S.IMPLEMENTING, investment=10)
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option, data={"status": S.IMPLEMENTED})
    assert set(_errors(excinfo)) == {"actual_date"}
    saved = option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                        data={"status": S.IMPLEMENTED, "actual_date": dt.date(2020, 6, 30)})
    assert saved.actual_date == dt.date(2020, 6, 30)


def test_actual_date_not_in_the_future(world, options_enrolment, options_make, options_today):
    option = options_make(options_enrolment, status=S.IMPLEMENTING, investment=10)
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                    data={"status": S.IMPLEMENTED, "actual_date": options_today + dt.timedelta(days=1)})
    assert "不能晚于今天" in _errors(excinfo)["actual_date"][0]


def test_actual_date_only_when_implemented(world, options_enrolment, options_make):
    option = options_make(options_enrolment, status=S.SCREENED, investment=10)
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                    data={"actual_date": dt.date(2020, 5, 1)})
    assert set(_errors(excinfo)) == {"actual_date"}


@pytest.mark.parametrize(("field", "value"), [
    ("planned_date", dt.date(2020, 2, 1)),  # before the enrolment's 开始审核时间 2020-03-01
    ("planned_date", dt.date(2031, 1, 1)),  # far beyond the campaign
])
def test_implausible_planned_dates(world, options_enrolment, field, value):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, **{field: value})
    assert set(_errors(excinfo)) == {field}


def test_actual_date_not_before_the_audit_start(world, options_enrolment, options_make):
    option = options_make(options_enrolment, status=S.IMPLEMENTING, investment=10)
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                    data={"status": S.IMPLEMENTED, "actual_date": dt.date(2020, 2, 28)})
    assert set(_errors(excinfo)) == {"actual_date"}


# --- numbers -----------------------------------------------------------------------------------------

NUMBER_FIELDS = ["investment"] + [f"{k}_{s}" for k in ("expected", "achieved") for s, _ in BENEFITS]


@pytest.mark.parametrize("field", NUMBER_FIELDS)
def test_negative_numbers_are_refused_per_field(world, options_enrolment, field):
    data = {field: Decimal("-1"), "other_pollutant": "总磷"}
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, **data)
    errors = _errors(excinfo)
    assert set(errors) == {field}
    assert "不能为负数" in errors[field][0]
    assert not Option.objects.exists()


@pytest.mark.parametrize("field", ["investment", "expected_water_t"])
def test_non_numbers_are_refused(world, options_enrolment, field):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, **{field: "十吨"})
    assert "应为数字" in _errors(excinfo)[field][0]


def test_name_and_investment_required(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        option_save(actor=_ent(world), enrolment=options_enrolment, data={"name": " ", "investment": None})
    assert {"name", "investment"} <= set(_errors(excinfo))


def test_other_pollutant_needs_a_name(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, expected_other_t=Decimal("1.5"))
    assert set(_errors(excinfo)) == {"other_pollutant"}
    assert _create(world, options_enrolment, expected_other_t=Decimal("1.5"), other_pollutant="总磷").pk


def test_an_unknown_step_is_refused(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, source_step=36)
    assert set(_errors(excinfo)) == {"source_step"}
    assert _create(world, options_enrolment, source_step=16).source_step_id == 16


# --- flags -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("expected", "achieved", "flagged"), [
    ("10", "29", False),  # 2.9×
    ("10", "30", False),  # exactly 3×: not above
    ("10", "31", True),  # 3.1×
    ("0", "5", True),  # nothing expected, something achieved
    (None, "5", True),
    (None, "0", False),
    ("10", None, False),
])
def test_flags_at_the_default_factor(world, options_enrolment, expected, achieved, flagged):
    option = _create(world, options_enrolment,
                     expected_energy_tce=Decimal(expected) if expected else None,
                     achieved_energy_tce=Decimal(achieved) if achieved else None)
    option.refresh_from_db()  # saved, never refused
    if flagged:
        assert option.flags == [{"field": "energy_tce", "label": "节能（吨标准煤/年）",
                                 "expected": str(Decimal(expected)) if expected else "", "achieved": achieved,
                                 "factor": "3"}]
    else:
        assert option.flags == []


def test_the_flag_factor_comes_from_the_campaign(world, options_enrolment):
    Campaign.objects.filter(pk=world.campaign.pk).update(benefit_flag_factor=Decimal("2"))
    option = _create(world, options_enrolment, expected_water_t=Decimal("100"), achieved_water_t=Decimal("250"))
    assert [f["field"] for f in option.flags] == ["water_t"]
    assert option.flags[0]["factor"] == "2"
    Campaign.objects.filter(pk=world.campaign.pk).update(benefit_flag_factor=Decimal("5"))
    option = _create(world, options_enrolment, expected_water_t=Decimal("100"), achieved_water_t=Decimal("310"))
    assert option.flags == []


def test_flags_are_logged_and_follow_changes(world, options_enrolment):
    option = _create(world, options_enrolment, expected_cod_t=Decimal("1"), achieved_cod_t=Decimal("4"))
    entry = ActionLog.objects.filter(action="progress.option.created").get()
    assert entry.data["flags"][0]["field"] == "cod_t"
    option = option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                         data={"achieved_cod_t": Decimal("2")})
    assert option.flags == []
    entry = ActionLog.objects.filter(action="progress.option.updated").get()
    assert entry.changes["achieved_cod_t"] == ["4.0000", "2.0000"]
    assert entry.data["flags"] == []
    assert entry.changes["flags"][1] == []


# --- log ---------------------------------------------------------------------------------------------

def test_create_and_update_are_logged_with_old_and_new_values(world, options_enrolment):
    option = _create(world, options_enrolment, investment=Decimal("12.5"), expected_water_t=Decimal("300"))
    created = ActionLog.objects.get(action="progress.option.created")
    assert created.object_id == str(option.pk)
    assert created.changes["investment"] == [None, "12.50"]
    assert created.changes["category"] == [None, "low"]
    option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                data={"status": S.SCREENED, "name": "冷凝水回收利用"})
    updated = ActionLog.objects.get(action="progress.option.updated")
    assert updated.changes["status"] == ["proposed", "screened"]
    assert updated.changes["name"] == ["冷凝水回收", "冷凝水回收利用"]
    assert "investment" not in updated.changes


def test_saving_without_a_change_writes_nothing(world, options_enrolment):
    option = _create(world, options_enrolment, expected_water_t=Decimal("300"))
    option = Option.objects.get(pk=option.pk)  # as stored: 10.00, 300.0000
    before = ActionLog.objects.count()
    option_save(actor=_ent(world), enrolment=options_enrolment, option=option,
                data={"name": "冷凝水回收", "investment": "10", "expected_water_t": "300.0"})
    assert ActionLog.objects.count() == before


def test_more_decimals_than_stored_are_refused(world, options_enrolment):
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment, investment="10.005", expected_water_t="1.00001")
    assert set(_errors(excinfo)) == {"investment", "expected_water_t"}
    assert "2位小数" in _errors(excinfo)["investment"][0]


# --- rights and campaign state -----------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT])
def test_enterprise_and_its_consultant_record_options(world, options_enrolment, role):
    option = option_save(actor=world.users[role], enrolment=options_enrolment,
                         data={"name": "中水回用", "investment": Decimal("80")})
    assert option.recorded_by == world.users[role]
    assert option.category == OptionCategory.HIGH


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.PROVINCE_STAFF,
                                  Role.EXPERT, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN])
def test_others_may_not_record_options(world, options_enrolment, role):
    with pytest.raises(PermissionDenied):
        option_save(actor=world.users[role], enrolment=options_enrolment, data={"name": "x", "investment": 1})
    assert not Option.objects.exists()


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.CONSULTANT])
@pytest.mark.parametrize("rel", ["same_county", "other_county"])
def test_not_on_someone_elses_enrolment(world, role, rel):
    enrolment = Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)
    with pytest.raises(PermissionDenied):
        option_save(actor=world.users[role], enrolment=enrolment, data={"name": "x", "investment": 1})
    assert not Option.objects.exists()


def test_an_option_is_changed_only_through_its_enrolment(world, options_enrolment, options_make):
    other = Enrolment.objects.get(enterprise=world.enterprises["same_county"], campaign=world.campaign)
    foreign = options_make(other, investment=1)
    with pytest.raises((ValidationError, PermissionDenied)):
        option_save(actor=_ent(world), enrolment=options_enrolment, option=foreign, data={"name": "改名"})
    assert Option.objects.get(pk=foreign.pk).name == "测试方案"


def test_closed_campaign_refuses(world, options_enrolment, options_make):
    option = options_make(options_enrolment, investment=1)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    before = ActionLog.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        _create(world, options_enrolment)
    assert "已结束" in excinfo.value.messages[0]
    with pytest.raises(ValidationError):
        option_save(actor=_ent(world), enrolment=options_enrolment, option=option, data={"name": "改名"})
    assert Option.objects.count() == 1 and Option.objects.get().name == "测试方案"
    assert ActionLog.objects.count() == before


def test_confirmed_verification_step_locks_achieved_benefits(world, options_today, options_enrolment, options_make):
    from cpaudit.core.errors import InvalidState
    from cpaudit.progress.models import ReviewStatus, StepRecord

    option = options_make(options_enrolment, name="中水回用", category="high", investment=Decimal("80"),
                          status="implemented", actual_date=dt.date(2020, 5, 1), expected_water_t=Decimal("100"),
                          achieved_water_t=Decimal("90"))
    StepRecord.objects.create(enrolment=options_enrolment, step_id=30, status="completed",
                              review=ReviewStatus.CONFIRMED, start_date=dt.date(2020, 5, 2),
                              completion_date=dt.date(2020, 5, 9))
    with pytest.raises(InvalidState) as exc:
        option_save(actor=world.users[Role.ENTERPRISE], enrolment=options_enrolment, option=option,
                    data={"achieved_water_t": "900"})
    assert "第30步已核实锁定" in exc.value.message
    option.refresh_from_db()
    assert option.achieved_water_t == Decimal("90")

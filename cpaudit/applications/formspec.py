"""The fields of Table 1 (清洁生产审核评估申请表) and Table 2 (清洁生产审核验收申请表), in the seed's order.

`FIELDS[kind]` is what the enterprise fills (pre-filled from the registry and the enrolment); the
reviewers' yes/no checks (提交申请评估资料是否齐全 …) are `REVIEW_CHECKS[kind]`, ticked by branch staff in
their opinion. `validate` returns {key: message} in Chinese (registry-bound values are never typed: the services
overwrite them from the registry and the enrolment before validating, so they always agree); `freeze` builds the frozen content of a
submitted version. The documents (render/) print the labels verbatim from the seed, not from here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cpaudit.campaigns.models import AuditMode, EnterpriseType

from .models import Kind

TEXT, MONEY, DATE, BOOL, INT, CHOICE = "text", "money", "date", "bool", "int", "choice"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str = TEXT
    required: bool = True
    # Registry-bound: printed from the registry, a change must be made there (not in the form).
    registry: bool = False
    max_length: int = 200
    help: str = ""


_T1 = [
    Field("application_date", "申请日期", DATE),
    Field("name", "企业名称", registry=True),
    Field("address", "企业所在地"),
    Field("legal_representative", "法定代表人", max_length=50),
    Field("contact_person", "联系人", max_length=50),
    Field("contact_phone", "联系电话", max_length=50),
    Field("nature", "企业性质", max_length=50),
    Field("industry", "所属行业", registry=True),
    Field("uscc", "企业代码", registry=True),
    Field("registered_capital", "注册资本（万元）", MONEY),
    Field("main_business_revenue", "主营业务收入（万元）", MONEY),
    Field("main_products", "企业主要产品", max_length=500),
    Field("document_number", "名单企业“省级文号”", max_length=100),
    Field("audit_round", "审核轮次", INT),
    # From the enrolment (kept by the branch): who audited decides which experts must stand aside.
    Field("mode", "开展审核方式", CHOICE, registry=True),
    Field("consulting_agency", "咨询机构名称", required=False, registry=True),
    Field("start_date", "开始审核时间", DATE),
    Field("end_date", "完成审核时间", DATE),
    Field("enterprise_type", "企业类型", CHOICE),
    Field("has_deadline_project", "清洁生产审核过程中是否有限期治理项目", BOOL),
    Field("deadline_project_done", "清洁生产审核过程中限期治理项目是否已完成", BOOL, required=False,
          help="有限期治理项目时必填"),
    Field("has_violation", "清洁生产审核过程中是否有其他环保违规处罚事件", BOOL),
]

_T2 = [
    Field("application_date", "申请日期", DATE),
    Field("name", "企业名称", registry=True),
    Field("address", "地址"),
    Field("postcode", "邮编", max_length=6),
    Field("legal_representative", "法人代表", max_length=50),
    Field("form_filler", "填表人", max_length=50),
    Field("contact_phone", "电话", max_length=50),
    Field("nature", "企业性质", max_length=50),
    Field("industry", "所属行业", registry=True),
    Field("registered_capital", "注册资本（万元）", MONEY),
    Field("main_products", "主要产品", max_length=500),
    Field("annual_output_value", "年产值（万元）", MONEY),
    Field("annual_sales", "年销售额(万元）", MONEY),
    Field("evaluation_passed_date", "通过评估时间", DATE, registry=True),
    Field("within_time_limit", "是否符合提请验收的时限要求或有相关说明", BOOL, registry=True),
    Field("time_limit_explanation", "相关说明", required=False, max_length=1000,
          help="超过评估通过后申请验收时限的，须说明原因"),
    Field("had_incident", "企业在清洁生产审核开始至提交验收申请期间是否发生严重污染环境事故及环保违法行为", BOOL),
    Field("incident_rectified", "如发生严重污染环境事故及环保违法行为，是否完成整改并由相关部门验收通过", BOOL,
          required=False, help="发生过事故或违法行为时必填"),
]

FIELDS: dict[str, list[Field]] = {Kind.EVALUATION: _T1, Kind.ACCEPTANCE: _T2}

# The reviewers' checks printed on the form; branch staff tick them with their opinion.
REVIEW_CHECKS: dict[str, list[tuple[str, str]]] = {
    Kind.EVALUATION: [("materials_complete", "提交申请评估资料是否齐全"), ("facts_true", "企业实际情况是否属实")],
    Kind.ACCEPTANCE: [("materials_complete", "上报材料是否齐全"), ("options_match", "中/高费方案是否与企业实际相符")],
}

MODE_CHOICES = list(AuditMode.choices)
TYPE_CHOICES = list(EnterpriseType.choices)


def field(kind: str, key: str) -> Field:
    return next(f for f in FIELDS[kind] if f.key == key)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _money(value) -> str | None:
    return None if value is None else str(value)


def registry_values(enrolment, kind: str, evaluation=None, campaign=None, today: dt.date | None = None) -> dict:
    """The registry-bound values as they stand now."""
    enterprise = enrolment.enterprise
    values = {"name": enterprise.name, "industry": f"{enterprise.industry.name}（{enterprise.industry_id}）"}
    if kind == Kind.EVALUATION:
        values["uscc"] = enterprise.uscc
        values["mode"] = enrolment.mode
        values["consulting_agency"] = enrolment.consulting_agency.name if enrolment.consulting_agency_id else ""
    else:
        passed = evaluation.result_date if evaluation is not None else None
        values["evaluation_passed_date"] = _iso(passed)
        values["within_time_limit"] = within_time_limit(campaign or enrolment.campaign, passed, today)
    return values


def within_time_limit(campaign, passed: dt.date | None, day: dt.date | None) -> bool | None:
    if passed is None or day is None:
        return None
    return (day - passed).days <= campaign.acceptance_time_limit_days


def prefill(enrolment, kind: str, *, today: dt.date, evaluation=None, audit_end: dt.date | None = None) -> dict:
    """A new form: everything the registry and the enrolment already know. 完成审核时间 is the
    enrolment's end date, else `audit_end` (the day the report sent to 评估, step 27, was completed)."""
    e, campaign = enrolment.enterprise, enrolment.campaign
    common = {
        "application_date": today.isoformat(), "address": e.address, "legal_representative": e.legal_representative,
        "contact_phone": e.contact_phone, "nature": e.nature, "registered_capital": _money(e.registered_capital),
        "main_products": e.main_products,
    }
    if kind == Kind.EVALUATION:
        data = {**common, "contact_person": e.contact_person,
                "main_business_revenue": _money(e.main_business_revenue),
                "document_number": campaign.document_number, "audit_round": enrolment.audit_round,
                "start_date": _iso(enrolment.start_date), "end_date": _iso(enrolment.end_date or audit_end),
                "enterprise_type": enrolment.enterprise_type,
                "has_deadline_project": enrolment.has_deadline_project,
                "deadline_project_done": enrolment.deadline_project_done,
                "has_violation": enrolment.has_violation}
    else:
        data = {**common, "postcode": e.postcode, "form_filler": e.contact_person,
                "annual_output_value": _money(e.annual_output_value), "annual_sales": _money(e.annual_sales),
                "time_limit_explanation": "", "had_incident": False, "incident_rectified": None}
    data.update(registry_values(enrolment, kind, evaluation, campaign, today))
    return data


# --- parsing and validation ------------------------------------------------------------------------

def _parse(f: Field, raw):
    """(value, error) for one field; None is 'empty'."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if f.type == BOOL:
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "是", "on"):
            return True, None
        if text in ("false", "0", "no", "否", "off"):
            return False, None
        return None, "请选择“是”或“否”"
    text = str(raw).strip()
    if f.type == DATE:
        try:
            return dt.date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, "日期格式应为 YYYY-MM-DD"
    if f.type == MONEY:
        try:
            value = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation:
            return None, "请填写数字（万元）"
        if not value.is_finite() or value < 0:
            return None, "请填写不小于0的数字（万元）"
        if value >= Decimal("1e12"):
            return None, "数值过大，请核对单位（万元）"
        return str(value.quantize(Decimal("0.01"))), None
    if f.type == INT:
        if not text.isdigit() or int(text) < 1 or int(text) > 99:
            return None, "请填写1至99的整数"
        return int(text), None
    if len(text) > f.max_length:
        return None, f"不能超过{f.max_length}个字"
    return text, None


def clean(kind: str, raw: dict) -> tuple[dict, dict]:
    """(values, errors) from submitted input: the fields present in `raw` (an absent key keeps its
    value; an empty one clears it). Registry-bound fields are never taken from input."""
    values, errors = {}, {}
    for f in FIELDS[kind]:
        if f.registry or f.key not in raw:
            continue
        value, error = _parse(f, raw.get(f.key))
        if error:
            errors[f.key] = error
        else:
            values[f.key] = value
    return values, errors


def validate(kind: str, data: dict, *, registry: dict, campaign, today: dt.date | None = None) -> dict:
    """{key: message} for a form about to be submitted (the draft may be incomplete)."""
    errors = {}
    for f in FIELDS[kind]:
        if f.registry:
            continue
        value, error = _parse(f, data.get(f.key))
        if error:
            errors[f.key] = error
        elif f.required and value is None:
            errors[f.key] = f"请填写“{f.label}”" if f.type != BOOL else f"请选择“{f.label}”"
    if kind == Kind.EVALUATION:
        _validate_t1(data, errors)
    else:
        _validate_t2(data, registry, errors)
    apply_day = data.get("application_date")
    if apply_day and "application_date" not in errors:
        day = dt.date.fromisoformat(str(apply_day))
        if day.year < campaign.year - 1:
            errors["application_date"] = f"申请日期早于{campaign.year}年审核批次"
        elif today is not None and day > today:
            errors["application_date"] = "申请日期不能晚于提交当日"
    return errors


def _date(data, key):
    try:
        return dt.date.fromisoformat(str(data.get(key))) if data.get(key) else None
    except ValueError:
        return None


def _validate_t1(data, errors) -> None:
    # 开展审核方式 and 咨询机构名称 come from the enrolment, whose constraint keeps them consistent.
    kind = data.get("enterprise_type")
    if kind and kind not in EnterpriseType.values:
        errors["enterprise_type"] = "企业类型须在“双超企业”“双有企业（第一类至第五类之一）”“其他企业”中选择一项"
    start, end, applied = _date(data, "start_date"), _date(data, "end_date"), _date(data, "application_date")
    if start and end and end < start:
        errors["end_date"] = "完成审核时间不能早于开始审核时间"
    if end and applied and applied < end:
        errors["application_date"] = "申请日期不能早于完成审核时间"
    elif start and applied and applied < start:
        errors["application_date"] = "申请日期不能早于开始审核时间"
    if data.get("has_deadline_project") in (True, "true", "是") and data.get("deadline_project_done") in (None, ""):
        errors["deadline_project_done"] = "有限期治理项目的，须选择限期治理项目是否已完成"
    if data.get("has_deadline_project") in (False, "false", "否") and data.get("deadline_project_done") not in (None, ""):
        errors["deadline_project_done"] = "没有限期治理项目的，此项不填"


def _validate_t2(data, registry, errors) -> None:
    postcode = (data.get("postcode") or "").strip()
    if postcode and not (len(postcode) == 6 and postcode.isdigit()):
        errors["postcode"] = "邮编应为6位数字"
    passed, applied = _date(registry, "evaluation_passed_date"), _date(data, "application_date")
    if passed is None:
        errors["evaluation_passed_date"] = "尚无通过的评估，不能申请验收"
    elif applied and applied < passed:
        errors["application_date"] = "申请日期不能早于通过评估时间"
    if registry.get("within_time_limit") is False and not (data.get("time_limit_explanation") or "").strip():
        errors["time_limit_explanation"] = "已超过评估通过后申请验收的时限，须填写相关说明"
    if data.get("had_incident") in (True, "true", "是") and data.get("incident_rectified") in (None, ""):
        errors["incident_rectified"] = "发生过严重污染环境事故或环保违法行为的，须选择是否完成整改并验收通过"


def freeze(kind: str, data: dict, registry: dict) -> dict:
    """The content of a submitted version: every field (in order) with its label and value."""
    merged = {**data, **registry}
    return {
        "kind": kind,
        "fields": [{"key": f.key, "label": f.label, "value": merged.get(f.key)} for f in FIELDS[kind]],
    }


def display(kind: str, key: str, value) -> str:
    """A value as the form prints it (是/否, choice labels, dates as given)."""
    if value is None or value == "":
        return ""
    f = field(kind, key)
    if f.type == BOOL:
        return "是" if value else "否"
    if key == "mode":
        return dict(MODE_CHOICES).get(value, str(value))
    if key == "enterprise_type":
        return dict(TYPE_CHOICES).get(value, str(value))
    return str(value)

"""Human-readable text of action-log entries, produced when the log is read (never stored).

The log stores codes (`registry.enterprise.updated`) and raw values; this module turns them into
Chinese. Apps register the labels of their own action codes with `register(code, label)`.
`describe(entry)` is a pure function of the entry: it reads model metadata (verbose names,
choices) but never the database, so a page of entries costs no query per row.
"""

import functools
import json
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from cpaudit.org.roles import Role

# code → Chinese verb phrase
ACTION_LABELS: dict[str, str] = {
    "registry.enterprise.created": "新增企业",
    "registry.enterprise.updated": "修改企业信息",
    "registry.consultingagency.created": "新增咨询机构",
    "registry.consultingagency.updated": "修改咨询机构信息",
    "registry.import.completed": "导入企业名录",
    "registry.export.completed": "导出企业名录",
    "campaigns.campaign.created": "新建审核批次",
    "campaigns.campaign.updated": "修改审核批次",
    "campaigns.enrolment.created": "企业纳入审核批次",
    "campaigns.enrolment.updated": "修改企业参审信息",
    "auth.login": "登录",
    "core.log.exported": "导出操作日志",
    "core.backup.created": "备份平台数据",
    "core.backup.restored": "从备份恢复平台数据",
    "auth.logout": "退出",
    "auth.login_failed": "登录失败",
    "org.agency.created": "新增主管部门",
    "org.user.created": "新增用户",
}

# Labels of the first segment of action codes (the "all actions of …" choices of the search page).
PREFIX_LABELS: dict[str, str] = {
    "auth": "登录与退出",
    "registry": "企业名录",
    "registry.import": "企业名录导入",
    "campaigns": "审核批次",
    "org": "机构与用户",
    "core": "系统",
    "jobs": "后台任务",
    "progress": "审核进展",
    "demo": "演示数据",
}

# Optional extra text for an action, from the entry's `data` (e.g. the accepted code).
_DETAILS: dict[str, Callable[[object], str]] = {}

EMPTY = "（空）"


def register(code: str, label: str, *, detail: Callable[[object], str] | None = None) -> None:
    """Give an action code its Chinese label (and optionally a function entry → extra text).
    Call it from an AppConfig.ready() or at import time of the app's services module."""
    ACTION_LABELS[code] = label
    if detail is not None:
        _DETAILS[code] = detail


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def known_actions() -> list[tuple[str, str]]:
    """(code, label) of every registered action, sorted by code."""
    return sorted(ACTION_LABELS.items())


def prefix_label(prefix: str) -> str:
    if prefix in PREFIX_LABELS:
        return PREFIX_LABELS[prefix]
    model = _model(prefix)
    if model is not None:
        return str(model._meta.verbose_name)
    return prefix


def known_prefixes() -> list[str]:
    """The dotted prefixes of the registered codes ("registry", "registry.enterprise", …)."""
    prefixes = set()
    for code in ACTION_LABELS:
        parts = code.split(".")
        for n in range(1, len(parts)):
            prefixes.add(".".join(parts[:n]))
    return sorted(prefixes)


def known_object_types() -> list[tuple[str, str]]:
    """(model label, verbose name) of the models the registered actions are about."""
    types = {"org.user"}  # logins and failed logins
    for prefix in known_prefixes():
        if _model(prefix) is not None:
            types.add(prefix)
    return sorted((label, object_type_label(label)) for label in types)


@functools.lru_cache(maxsize=256)
def _model(label: str):
    if not label or label.count(".") != 1:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


@functools.lru_cache(maxsize=1024)
def _field(object_type: str, name: str):
    model = _model(object_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)  # also finds "county_id" (the attname)
    except FieldDoesNotExist:
        return None


def field_label(object_type: str, name: str) -> str:
    """The field's verbose_name on the entry's model; the raw name when it is unknown."""
    field = _field(object_type, name)
    verbose = getattr(field, "verbose_name", None)
    return str(verbose) if verbose else name


def _field_order(object_type: str, names) -> list[str]:
    model = _model(object_type)
    if model is None:
        return list(names)
    order = {}
    for position, field in enumerate(model._meta.get_fields()):
        order.setdefault(field.name, position)
        attname = getattr(field, "attname", None)
        if attname:
            order.setdefault(attname, position)
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def value_text(value, object_type: str = "", name: str = "") -> str:
    """A stored (JSON) value as people read it: choices by their label, booleans 是/否, empty as （空）."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    field = _field(object_type, name) if name else None
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if choices:
        for key, label in choices:
            if key == value or str(key) == str(value):
                return str(label)
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def role_label(code: str) -> str:
    if not code:
        return ""
    if code == "system":
        return "系统"
    try:
        return str(Role(code).label)
    except ValueError:
        return code


def actor_text(entry) -> str:
    """张三（分局经办，保定市生态环境局竞秀区分局）; system actors and anonymous users without brackets."""
    name = entry.actor_name or "匿名"
    if entry.actor_role in ("", "system"):
        return name
    details = [role_label(entry.actor_role)]
    if entry.actor_agency:
        details.append(entry.actor_agency)
    return f"{name}（{'，'.join(details)}）"


def changes_text(entry) -> str:
    changes = entry.changes or {}
    if not isinstance(changes, dict) or not changes:
        return ""
    created = entry.action.endswith(".created")
    parts = []
    for name in _field_order(entry.object_type, changes):
        pair = changes[name]
        label = field_label(entry.object_type, name)
        if isinstance(pair, list | tuple) and len(pair) == 2:
            old, new = pair
            if created and old is None:
                parts.append(f"{label} {value_text(new, entry.object_type, name)}")
            else:
                parts.append(f"{label} {value_text(old, entry.object_type, name)} → "
                             f"{value_text(new, entry.object_type, name)}")
        else:
            parts.append(f"{label} {value_text(pair, entry.object_type, name)}")
    return "；".join(parts)


def time_text(entry) -> str:
    return timezone.localtime(entry.time).strftime("%Y-%m-%d %H:%M")


def describe(entry) -> str:
    """e.g. "2020-07-21 10:15 张三（分局经办，保定市生态环境局竞秀区分局）修改企业信息「某某纸业有限公司」：
    联系人 李四 → 王五；注册资本（万元） 100 → 200". Unknown codes show as the code itself."""
    text = f"{time_text(entry)} {actor_text(entry)}{action_label(entry.action)}"
    if entry.object_repr:
        text += f"「{entry.object_repr}」"
    detail = _DETAILS.get(entry.action)
    extra = detail(entry) if detail is not None else _acceptance_text(entry)
    body = "；".join(part for part in (changes_text(entry), extra) if part)
    if body:
        text += f"：{body}"
    return text


def _acceptance_text(entry) -> str:
    """A code failing its check, accepted after checking the business licence (registry services)."""
    data = entry.data if isinstance(entry.data, dict) else {}
    if not data.get("uscc_check_accepted"):
        return ""
    return f"统一社会信用代码校验未通过（{data.get('uscc_check_failure', '')}），已核对营业执照后确认"

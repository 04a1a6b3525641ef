"""The filters of the action-log search page (and of its CSV export)."""

import datetime as dt
import re
import zoneinfo

from django import forms
from django.db.models import Q, QuerySet

from . import logdisplay

LOCAL_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# An action code or prefix, an object type: dotted lower-case identifiers.
DOTTED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


def _action_choices() -> list:
    prefixes = [(p, f"{logdisplay.prefix_label(p)}（全部，{p}.*）") for p in logdisplay.known_prefixes()]
    codes = [(code, f"{label}（{code}）") for code, label in logdisplay.known_actions()]
    return [("", "全部动作"), ("按类别", prefixes), ("按动作", codes)]


def _object_type_choices() -> list:
    types = [(label, f"{name}（{label}）") for label, name in logdisplay.known_object_types()]
    return [("", "全部对象类型"), *types]


def _flat_values(choices) -> set[str]:
    values = set()
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.update(v for v, _ in label)
        else:
            values.add(value)
    return values


# The platform's records start long after 2000; bounds keep date arithmetic away from year 1 and 9999.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class LogFilterForm(forms.Form):
    date_from = forms.DateField(label="从", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="日期按北京时间")
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label="操作人", required=False, max_length=150,
                            help_text="用户名或姓名包含")
    action = forms.ChoiceField(label="动作", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    object = forms.CharField(label="对象", required=False, max_length=300,
                             help_text="对象编号（完全一致）或名称包含")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = self._with_submitted("action", _action_choices())
        self.fields["object_type"].choices = self._with_submitted("object_type", _object_type_choices())

    def _with_submitted(self, name: str, choices: list) -> list:
        """Codes no app registered (yet) are still searchable: a well-formed submitted value
        becomes a choice of its own, so the select shows it and validation accepts it."""
        value = (self.data.get(name) or "").strip() if self.is_bound else ""
        if value and DOTTED.match(value) and value not in _flat_values(choices):
            choices = choices + [(value, value)]
        return choices

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not (EARLIEST <= day <= LATEST):
                self.add_error(name, f"日期应在{EARLIEST:%Y年}至{LATEST:%Y年}之间")
                cleaned.pop(name, None)
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return cleaned

    def filter(self, qs: QuerySet) -> QuerySet:
        """The queryset narrowed by the (valid) filters."""
        data = self.cleaned_data
        if data.get("date_from"):
            qs = qs.filter(time__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            qs = qs.filter(time__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        actor = (data.get("actor") or "").strip()
        if actor:
            qs = qs.filter(Q(actor_name__icontains=actor) | Q(actor__username__icontains=actor)
                           | Q(actor__full_name__icontains=actor))
        action = data.get("action")
        if action:
            qs = qs.filter(Q(action=action) | Q(action__startswith=action + "."))
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"])
        obj = (data.get("object") or "").strip()
        if obj:
            qs = qs.filter(Q(object_id=obj) | Q(object_repr__icontains=obj))
        return qs


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)

"""The login steps' forms, the security administrator's and the audit administrator's."""

import datetime as dt

from django import forms
from django.db.models import Q, QuerySet

from cpaudit.core.forms_log import EARLIEST, LATEST, LOCAL_TZ

from .events import KINDS


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label="密码", max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=12, help_text="验证器（手机应用）当前显示的6位数字",
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class OtpResetForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    reason = forms.CharField(label="原因", max_length=200, help_text="例如：手机遗失，已核实本人身份")


class EventFilterForm(forms.Form):
    date_from = forms.DateField(label="从", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="日期按北京时间")
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="事件", required=False, choices=[("", "全部事件"), *KINDS.items()])
    username = forms.CharField(label="用户名", required=False, max_length=150, help_text="包含")
    ip = forms.CharField(label="IP", required=False, max_length=64, help_text="完全一致")

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
        data = self.cleaned_data
        if data.get("date_from"):
            qs = qs.filter(time__gte=dt.datetime.combine(data["date_from"], dt.time.min, LOCAL_TZ))
        if data.get("date_to"):
            qs = qs.filter(time__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min,
                                                        LOCAL_TZ))
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("username"):
            qs = qs.filter(Q(username__icontains=data["username"]))
        if data.get("ip"):
            qs = qs.filter(ip=data["ip"])
        return qs

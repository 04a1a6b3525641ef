"""The paper-level settings (PaperAgency): which city-level agencies or which province record their
decisions on paper, for every campaign or one. Government users see the list; the province's staff
set and remove entries (services.paper)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import AgencyKind

from . import services
from .models import PaperAgency


class PaperForm(forms.Form):
    agency = forms.ModelChoiceField(label="单位", queryset=Agency.objects.none(),
                                    error_messages={"required": "请选择单位", "invalid_choice": "请选择列表中的单位"})
    campaign = forms.ModelChoiceField(label="审核批次", queryset=Campaign.objects.none(), required=False,
                                      empty_label="所有批次",
                                      error_messages={"invalid_choice": "请选择列表中的审核批次"})
    note = forms.CharField(label="依据", max_length=300, error_messages={"required": "请说明依据"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(kind__in=(AgencyKind.CITY, AgencyKind.PROVINCE))
        self.fields["campaign"].queryset = access.scope(user, Campaign.objects.all())


class RemoveForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=300, error_messages={"required": "请填写取消原因"})


@domain_view
def paper_list(request):
    user = request.user
    access.check(user, "applications.paper.view")
    can_change = access.allowed(user, "applications.paper.configure")
    form = PaperForm(request.POST or None, user=user) if can_change else None
    if request.method == "POST":
        access.check(user, "applications.paper.configure")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.paper_agency_set(actor=user, agency=data["agency"], campaign=data["campaign"],
                                          note=data["note"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except InvalidState as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已设置{data['agency']}以纸质方式办理")
                return redirect("applications:paper_list")
    items = access.scope(user, PaperAgency.objects.select_related("agency", "campaign", "configured_by"))
    return render(request, "applications/paper_list.html", {
        "items": items, "form": form, "remove_form": RemoveForm() if can_change else None})


@domain_view
@require_POST
def paper_remove(request, pk):
    user = request.user
    access.check(user, "applications.paper.configure")
    item = access.get_in_scope(user, PaperAgency.objects.all(), pk=pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写取消原因")
        return redirect("applications:paper_list")
    try:
        services.paper_agency_remove(actor=user, item=item, reason=form.cleaned_data["reason"])
    except (InvalidState, ValidationError) as exc:
        messages.error(request, exc.message if isinstance(exc, InvalidState) else "；".join(exc.messages))
    else:
        messages.success(request, "已取消纸质办理设置")
    return redirect("applications:paper_list")

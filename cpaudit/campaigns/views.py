"""Campaign pages: list, detail with the enrolled enterprises, create/edit, enrol."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render

from cpaudit.core import clock
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access
from cpaudit.org.jurisdiction import county_choices
from cpaudit.registry.models import ManagementLevel

from . import selectors, services
from .forms import CampaignForm, EnrolmentForm, enterprises_for_enrolment
from .models import AuditMode, Campaign, Enrolment, EnterpriseType


class EnrolmentFilterForm(forms.Form):
    q = forms.CharField(label="名称或代码", required=False)
    county = forms.ChoiceField(label="县（市、区）", required=False)
    industry = forms.CharField(label="行业代码", required=False, max_length=5)
    management_level = forms.ChoiceField(label="管理级别", required=False,
                                         choices=[("", "全部")] + list(ManagementLevel.choices))
    enterprise_type = forms.ChoiceField(label="企业类型", required=False,
                                        choices=[("", "全部")] + list(EnterpriseType.choices))
    mode = forms.ChoiceField(label="审核方式", required=False, choices=[("", "全部")] + list(AuditMode.choices))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "全部")] + [(d.code, d.name) for d in county_choices(user)]


@domain_view
def campaign_list(request):
    access.check(request.user, "campaigns.campaign.view")
    return render(request, "campaigns/campaign_list.html", {
        "campaigns": selectors.campaign_list(request.user),
        "can_change": access.allowed(request.user, "campaigns.campaign.change"),
    })


@domain_view
def campaign_detail(request, slug):
    access.check(request.user, "campaigns.campaign.view")
    campaign = selectors.campaign_detail(request.user, slug)
    form = EnrolmentFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.enrolment_list(request.user, campaign, filters), settings.CPAUDIT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = clock.today()
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign, "form": form, "page": page, "query": query.urlencode(),
        "evaluation_days": (campaign.evaluation_deadline - today).days,
        "acceptance_days": (campaign.acceptance_deadline - today).days,
        "county_counts": selectors.county_counts(request.user, campaign),
        "can_change": access.allowed(request.user, "campaigns.campaign.change"),
        "can_dashboard": access.allowed(request.user, "progress.dashboard.view"),
        "can_enrol": access.allowed(request.user, "campaigns.enrolment.change")
        and campaign.status == Campaign.Status.ACTIVE,
    })


def _campaign_form(request, campaign):
    access.check(request.user, "campaigns.campaign.change")
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.campaign_save(actor=request.user, campaign=campaign, data=form.service_data(),
                                           counties=form.county_flags())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已保存审核批次")
            return redirect("campaigns:campaign_detail", saved.slug)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@domain_view
def campaign_create(request):
    return _campaign_form(request, None)


@domain_view
def campaign_edit(request, slug):
    access.check(request.user, "campaigns.campaign.change")
    return _campaign_form(request, selectors.campaign_detail(request.user, slug))


@domain_view
def enrolment_create(request, slug):
    access.check(request.user, "campaigns.enrolment.change")
    campaign = selectors.campaign_detail(request.user, slug)
    form = EnrolmentForm(request.POST or None, enterprises=enterprises_for_enrolment(request.user, campaign))
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_save(actor=request.user, enrolment=None, campaign=campaign,
                                                enterprise=form.cleaned_data["enterprise"], data=form.service_data())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except IntegrityError:  # enrolled by someone else a moment ago
            form.add_error("enterprise", "该企业已在本批次名单中")
        else:
            messages.success(request, f"已将{form.cleaned_data['enterprise']}列入名单")
            for warning in enrolment.warnings:
                messages.warning(request, f"{form.cleaned_data['enterprise']}：{warning}")
            return redirect("campaigns:campaign_detail", campaign.slug)
    return render(request, "campaigns/enrolment_form.html", {"form": form, "campaign": campaign})


@domain_view
def enrolment_edit(request, pk):
    access.check(request.user, "campaigns.enrolment.view")
    enrolment = access.get_in_scope(request.user, Enrolment.objects.select_related("campaign", "enterprise"), pk=pk)
    access.check(request.user, "campaigns.enrolment.change", enrolment.enterprise)
    form = EnrolmentForm(request.POST or None, instance=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_save(actor=request.user, enrolment=enrolment, data=form.service_data())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("campaigns:campaign_detail", enrolment.campaign.slug)
    return render(request, "campaigns/enrolment_form.html", {"form": form, "campaign": enrolment.campaign,
                                                              "enrolment": enrolment})

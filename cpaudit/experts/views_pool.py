"""The expert pool and the score sheets (government pages; the pool is kept by province and city staff,
the sheets by the province)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from . import selectors, services
from .forms import ExpertFilterForm, ExpertForm, SheetForm, SheetItemFormSet
from .models import Expert, PanelMember, ScoreSheet

KINDS = {"evaluation": "评估", "acceptance": "验收"}


@domain_view
def expert_list(request):
    access.check(request.user, "experts.expert.view")
    form = ExpertFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.expert_list(request.user, filters), settings.CPAUDIT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "experts/expert_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "can_change": access.allowed(request.user, "experts.expert.change"),
    })


def _expert(request, pk) -> Expert:
    access.check(request.user, "experts.expert.view")
    return access.get_in_scope(request.user, Expert.objects.select_related("user"), pk=pk)


@domain_view
def expert_detail(request, pk):
    expert = _expert(request, pk)
    memberships = access.scope(request.user, PanelMember.objects.filter(expert=expert)).select_related(
        "panel__application__enrolment__enterprise", "score").order_by("-panel__drawn_at")
    return render(request, "experts/expert_detail.html", {
        "expert": expert, "industries": list(expert.industries.all()),
        "declarations": selectors.declarations_of(expert=expert), "memberships": memberships,
        "can_change": access.allowed(request.user, "experts.expert.change"),
    })


def _expert_form(request, expert):
    access.check(request.user, "experts.expert.change", expert)
    form = ExpertForm(request.POST or None, instance=expert)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.expert_save(actor=request.user, expert=expert, data=form.service_data(),
                                         industries=form.cleaned_data["industry_codes"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已保存专家：{saved.name}")
            return redirect("experts:expert_detail", saved.pk)
    return render(request, "experts/expert_form.html", {"form": form, "expert": expert})


@domain_view
def expert_create(request):
    return _expert_form(request, None)


@domain_view
def expert_edit(request, pk):
    return _expert_form(request, _expert(request, pk))


@domain_view
@require_POST
def expert_set_active(request, pk):
    expert = _expert(request, pk)
    access.check(request.user, "experts.expert.change", expert)
    try:
        services.expert_set_active(actor=request.user, expert=expert, active=request.POST.get("active") == "1")
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已恢复抽取" if request.POST.get("active") == "1" else "已暂停抽取")
    return redirect("experts:expert_detail", expert.pk)


@domain_view
def scoresheet_list(request):
    access.check(request.user, "experts.expert.view")
    sheets = list(access.scope(request.user, ScoreSheet.objects.select_related("campaign")
                               .prefetch_related("items")).order_by("campaign_id", "kind"))
    campaigns = list(access.scope(request.user, Campaign.objects.all()).order_by("-year", "slug"))
    return render(request, "experts/scoresheet_list.html", {
        "defaults": [s for s in sheets if s.campaign_id is None],
        "own": [s for s in sheets if s.campaign_id is not None],
        "campaigns": campaigns, "kinds": KINDS,
        "can_change": access.allowed(request.user, "experts.scoresheet.change"),
    })


@domain_view
def scoresheet_edit(request, slug, kind):
    if kind not in KINDS:
        raise Http404("没有这种评分表")
    access.check(request.user, "experts.scoresheet.change")
    campaign = access.get_in_scope(request.user, Campaign.objects.all(), slug=slug)
    access.check(request.user, "experts.scoresheet.change", campaign)
    current = services.scoresheet_for(campaign, kind)
    items = list(current.items.order_by("order"))
    initial = {"name": current.name if current.campaign_id else f"{campaign.name}{KINDS[kind]}评分表",
               "pass_mark": current.pass_mark}
    form = SheetForm(request.POST or None, initial=initial)
    formset = SheetItemFormSet(request.POST or None, prefix="items", initial=[
        {"text": i.text, "max_points": i.max_points, "is_veto": i.is_veto} for i in items])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [f.cleaned_data for f in formset if f.cleaned_data.get("text")]
        try:
            services.scoresheet_save(actor=request.user, campaign=campaign, kind=kind,
                                     name=form.cleaned_data["name"], pass_mark=form.cleaned_data["pass_mark"],
                                     items=rows)
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已保存评分表")
            return redirect("experts:scoresheet_list")
    return render(request, "experts/scoresheet_form.html", {
        "form": form, "formset": formset, "campaign": campaign, "kind_label": KINDS[kind],
        "inherited": current.campaign_id is None,
    })

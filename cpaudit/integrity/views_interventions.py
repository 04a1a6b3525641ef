"""Pages of the intervention register (干预登记): the list (what the user may see, filtered), recording
(anyone logged in), one entry with its follow-up (立即整改: owner, deadline, outcome)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from . import interventions as services
from . import selectors
from .forms_interventions import CloseForm, FollowUpForm, InterventionFilterForm, InterventionForm
from .models import Intervention, InterventionState
from .supervision import is_leader


@domain_view
def intervention_list(request):
    access.check(request.user, "integrity.intervention.view")
    form = InterventionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.interventions(request.user, filters),
                     settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "integrity/intervention_list.html", {
        "form": form, "page_obj": page, "counts": selectors.counts(request.user), "today": clock.today(),
        "filter_query": query.urlencode()})


@domain_view
def intervention_create(request):
    access.check(request.user, "integrity.intervention.record")
    form = InterventionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.intervention_record(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已登记（第{item.pk}号），将由{item.supervising_agency or '审计管理员'}跟进整改")
            return redirect("integrity:intervention_list")
    return render(request, "integrity/intervention_form.html", {"form": form})


def _item(request, pk) -> Intervention:
    access.check(request.user, "integrity.intervention.view")
    return access.get_in_scope(request.user, Intervention.objects.select_related(
        "enterprise", "application", "supervising_agency", "named_user__agency", "owner", "recorded_by",
        "assigned_by", "closed_by"), pk=pk)


def _page(request, item, *, follow_up=None, close=None):
    user = request.user
    leads = (is_leader(user) and item.supervising_agency_id == user.agency_id
             and item.state != InterventionState.CLOSED)
    can_close = item.state == InterventionState.RECTIFYING and (leads or item.owner_id == user.pk)
    return render(request, "integrity/intervention_detail.html", {
        "item": item, "today": clock.today(),
        "follow_up": (follow_up or FollowUpForm(owners=selectors.owner_choices(item), initial={
            "owner": item.owner_id, "deadline": item.deadline, "requirement": item.requirement})) if leads else None,
        "close": (close or CloseForm()) if can_close else None,
    })


@domain_view
def intervention_detail(request, pk):
    return _page(request, _item(request, pk))


@domain_view
def intervention_follow_up(request, pk):
    item = _item(request, pk)
    access.check(request.user, "integrity.intervention.follow_up")
    form = FollowUpForm(request.POST or None, owners=selectors.owner_choices(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_follow_up(actor=request.user, item=item, **form.cleaned_data)
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已部署整改")
            return redirect("integrity:intervention_detail", pk=item.pk)
    return _page(request, item, follow_up=form)


@domain_view
def intervention_close(request, pk):
    item = _item(request, pk)
    access.check(request.user, "integrity.intervention.follow_up")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_close(actor=request.user, item=item, outcome=form.cleaned_data["outcome"])
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已办结")
            return redirect("integrity:intervention_detail", pk=item.pk)
    return _page(request, item, close=form)

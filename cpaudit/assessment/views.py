"""考核通报 pages: the scorecards, circulars, summons, extensions and the consulting agencies' record.
Reads through selectors/scorecards, writes through services only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import DomainError
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.documents.selectors import issued_bytes, issued_formats
from cpaudit.documents.services import CONTENT_TYPES
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.registry.models import ConsultingAgency
from cpaudit.reports.standings import month_start, parse_month

from . import document, scorecards, selectors, services
from .forms import (
    CircularForm,
    DecisionForm,
    ExtensionForm,
    OutcomeForm,
    ReasonForm,
    ScorecardForm,
    SummonsForm,
    SummonsRecordForm,
    SuspensionForm,
)
from .models import Circular, CircularStatus, Commitment, Extension, ExtensionStatus, Summons, SummonsStatus


def _choice(request):
    """(form, campaign, month) from the query string: the newest visible campaign, this month."""
    campaigns = access.scope(request.user, Campaign.objects.all())
    form = ScorecardForm(request.GET or None)
    form.fields["campaign"].queryset = campaigns
    campaign = (form.cleaned_data.get("campaign") if form.is_valid() else None) or campaigns.first()
    month = month_start(clock.today())
    text = form.cleaned_data.get("month") if form.is_valid() else ""
    if text:
        try:
            month = parse_month(text)
        except ValueError as exc:
            form.add_error("month", str(exc))
    return form, campaign, month


@domain_view
def scorecard_page(request):
    access.check(request.user, "assessment.scorecard.view")
    form, campaign, month = _choice(request)
    cards = scorecards.scorecards(request.user, campaign, month, clock.today()) if campaign else None
    return render(request, "assessment/scorecards.html", {
        "form": form, "campaign": campaign, "month": month, "cards": cards,
        "can_draft": access.allowed(request.user, "assessment.circular.prepare") and campaign is not None,
        "weights": sorted(settings.CPAUDIT_SCORECARD_WEIGHTS.items())})


@require_POST
@domain_view
def circular_draft(request):
    access.check(request.user, "assessment.circular.prepare")
    campaign = access.scope(request.user, Campaign.objects.filter(slug=request.POST.get("campaign", ""))).first()
    try:
        month = parse_month(request.POST.get("month", ""))
        if campaign is None:
            raise ValidationError("请选择审核批次")
        circular = services.circular_draft(actor=request.user, campaign=campaign, month=month)
    except (ValueError, ValidationError, DomainError) as exc:
        messages.error(request, getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("assessment:scorecards")
    messages.success(request, "已根据考核数据起草通报，请修改后提交负责人审批")
    return redirect("assessment:circular_detail", pk=circular.pk)


@domain_view
def circular_list(request):
    access.check(request.user, "assessment.circular.view")
    return render(request, "assessment/circular_list.html", {"circulars": selectors.circulars(request.user)[:200]})


@domain_view
def circular_detail(request, pk):
    user = request.user
    access.check(user, "assessment.circular.view")
    circular = access.get_in_scope(user, Circular.objects.select_related("agency", "campaign", "prepared_by",
                                                                         "issued_by"), pk=pk)
    own = circular.agency_id == getattr(user, "agency_id", None)
    editable = own and circular.status == CircularStatus.DRAFT and access.allowed(user, "assessment.circular.prepare")
    approvable = own and circular.status == CircularStatus.SUBMITTED and access.allowed(
        user, "assessment.circular.approve")
    initial = {name: getattr(circular, name) for name in services.CIRCULAR_FIELDS}
    form = CircularForm(request.POST if request.method == "POST" and editable else None, initial=initial)
    reason_form = ReasonForm(request.POST if request.method == "POST" and approvable else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("save", "submit") and editable and form.is_valid():
                services.circular_save(actor=user, circular=circular, data=form.cleaned_data)
                if action == "submit":
                    services.circular_submit(actor=user, circular=circular)
                    messages.success(request, "已提交负责人审批")
                else:
                    messages.success(request, "已保存")
                return redirect("assessment:circular_detail", pk=circular.pk)
            if action == "return" and approvable and reason_form.is_valid():
                services.circular_return(actor=user, circular=circular, reason=reason_form.cleaned_data["reason"])
                messages.success(request, "已退回起草人修改")
                return redirect("assessment:circular_detail", pk=circular.pk)
            if action == "issue" and approvable:
                services.circular_issue(actor=user, circular=circular, seen=request.POST.get("seen", ""))
                messages.success(request, "通报已审批签发（Word、PDF 已加盖电子签章）")
                return redirect("assessment:circular_detail", pk=circular.pk)
            if action not in ("save", "submit", "return", "issue") or not (editable or approvable):
                raise Http404("没有可办理的操作")
        except (ValidationError, DomainError) as exc:
            add_validation_errors(reason_form if action == "return" else form, exc)
            if action == "issue":
                messages.error(request, getattr(exc, "message", "") or "；".join(getattr(exc, "messages", [])))
    content = circular.content if circular.status == CircularStatus.ISSUED else document.content(circular)
    return render(request, "assessment/circular_detail.html", {
        "circular": circular, "form": form if editable else None, "reason_form": reason_form if approvable else None,
        "approvable": approvable, "content": content, "seen": document_digest(content),
        "issued": issued_formats("circular", circular) if circular.status == CircularStatus.ISSUED else {}})


@domain_view
def circular_download(request, pk, fmt):
    access.check(request.user, "assessment.circular.view")
    circular = access.get_in_scope(request.user, Circular.objects.all(), pk=pk)
    doc = issued_formats("circular", circular).get(fmt)
    if doc is None:
        raise Http404("该通报尚未以此格式签发")
    response = HttpResponse(issued_bytes(doc), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename=circular-{circular.pk}.{fmt}"
    return response


# --- summons -----------------------------------------------------------------------------------------

@domain_view
def summons_list(request):
    user = request.user
    access.check(user, "assessment.summons.view")
    form = None
    if access.allowed(user, "assessment.summons.decide") and getattr(user, "agency_id", None):
        form = SummonsForm(request.POST if request.method == "POST" else None,
                           agencies=Agency.objects.filter(supervisor_id=user.agency_id).order_by("division_id"),
                           circulars=selectors.circulars(user).filter(status=CircularStatus.ISSUED))
    elif request.method == "POST":
        access.check(user, "assessment.summons.decide")
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        campaign = data["circular"].campaign if data["circular"] else access.scope(user, Campaign.objects.filter(
            status=Campaign.Status.ACTIVE)).first()
        try:
            summons = services.summons_decide(
                actor=user, campaign=campaign, summoned=data["summoned"], attendees=data["attendees"],
                scheduled_for=data["scheduled_for"], reason=data["reason"], place=data["place"],
                circular=data["circular"])
        except (ValidationError, DomainError) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已决定约谈")
            return redirect("assessment:summons_detail", pk=summons.pk)
    return render(request, "assessment/summons_list.html", {"summonses": selectors.summonses(user)[:200],
                                                            "form": form})


@domain_view
def summons_detail(request, pk):
    user = request.user
    access.check(user, "assessment.summons.view")
    summons = access.get_in_scope(user, Summons.objects.select_related("agency", "summoned", "circular",
                                                                       "decided_by", "recorded_by"), pk=pk)
    own = summons.agency_id == getattr(user, "agency_id", None) and access.allowed(
        user, "assessment.summons.follow_up")
    form = None
    if own and summons.status == SummonsStatus.PLANNED:
        form = SummonsRecordForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.summons_record(actor=user, summons=summons, held_on=form.cleaned_data["held_on"],
                                        record=form.cleaned_data["record"],
                                        commitments=form.cleaned_data["commitments"])
            except (ValidationError, DomainError) as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "已记录约谈情况及承诺事项")
                return redirect("assessment:summons_detail", pk=summons.pk)
    elif request.method == "POST":
        access.check(user, "assessment.summons.follow_up")
        raise Http404("没有可办理的操作")
    return render(request, "assessment/summons_detail.html", {
        "summons": summons, "form": form, "commitments": list(summons.commitments.select_related("done_by")),
        "can_follow_up": own, "outcome_form": OutcomeForm(), "today": clock.today()})


@require_POST
@domain_view
def commitment_done(request, pk):
    user = request.user
    access.check(user, "assessment.summons.follow_up")
    commitment = access.get_in_scope(user, Commitment.objects.select_related("summons"), pk=pk)
    form = OutcomeForm(request.POST)
    try:
        services.commitment_done(actor=user, commitment=commitment,
                                 outcome=form.cleaned_data["outcome"] if form.is_valid() else "")
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.code == "permission_denied":
            raise
        messages.error(request, getattr(exc, "message", None) or "；".join(exc.messages))
    else:
        messages.success(request, "承诺事项已办结")
    return redirect("assessment:summons_detail", pk=commitment.summons_id)


# --- extensions --------------------------------------------------------------------------------------

@domain_view
def extension_list(request):
    user = request.user
    access.check(user, "assessment.extension.view")
    form = None
    if access.allowed(user, "assessment.extension.request") and not getattr(user, "is_system", False):
        enrolments = access.scope(user, Enrolment.objects.filter(campaign__status=Campaign.Status.ACTIVE)
                                  ).select_related("campaign")
        form = ExtensionForm(request.POST if request.method == "POST" else None, enrolments=enrolments)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                extension = services.extension_request(actor=user, enrolment=data["enrolment"], target=data["target"],
                                                       requested_date=data["requested_date"], reason=data["reason"])
            except (ValidationError, DomainError) as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "延期申请已提交分局审核")
                return redirect("assessment:extension_detail", pk=extension.pk)
    elif request.method == "POST":
        access.check(user, "assessment.extension.request")
    todo = selectors.extension_todo_q(user)
    items = selectors.extensions(user).order_by("-requested_at", "-pk")[:200]
    return render(request, "assessment/extension_list.html", {
        "extensions": items, "form": form,
        "todo": list(selectors.extensions(user).filter(todo)[:50]) if todo is not None else []})


@domain_view
def extension_detail(request, pk):
    user = request.user
    access.check(user, "assessment.extension.view")
    extension = access.get_in_scope(user, Extension.objects.select_related(
        "enrolment__enterprise__county", "enrolment__campaign", "requested_by", "branch_decided_by",
        "city_decided_by"), pk=pk)
    step = {ExtensionStatus.BRANCH_PENDING: "assessment.extension.branch_decide",
            ExtensionStatus.CITY_PENDING: "assessment.extension.city_decide"}.get(extension.status)
    can_decide = step is not None and access.allowed(user, step) and not getattr(user, "is_system", False)
    form = DecisionForm(request.POST if request.method == "POST" and can_decide else None)
    if request.method == "POST":
        if not can_decide:
            access.check(user, step or "assessment.extension.city_decide")
            raise Http404("没有可办理的操作")
        if form.is_valid():
            yes, opinion = form.cleaned_data["decision"] == "yes", form.cleaned_data["opinion"]
            try:
                if extension.status == ExtensionStatus.BRANCH_PENDING:
                    services.extension_branch_decide(actor=user, extension=extension, agree=yes, opinion=opinion)
                else:
                    services.extension_city_decide(actor=user, extension=extension, approve=yes, opinion=opinion)
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, DomainError) and exc.code == "permission_denied":
                    raise
                add_validation_errors(form, exc)
            else:
                messages.success(request, "已办理")
                return redirect("assessment:extension_detail", pk=extension.pk)
    return render(request, "assessment/extension_detail.html", {
        "extension": extension, "form": form if can_decide else None})


# --- consulting agencies' record -----------------------------------------------------------------------

@domain_view
def agency_list(request):
    access.check(request.user, "assessment.agency.view")
    records = [r for r in selectors.agency_records(request.user, clock.today()) if r.clients or r.suspension]
    return render(request, "assessment/agency_list.html", {"records": records})


@domain_view
def agency_detail(request, pk):
    user = request.user
    access.check(user, "assessment.agency.view")
    agency = access.get_in_scope(user, ConsultingAgency.objects.all(), pk=pk)
    can_suspend = access.allowed(user, "assessment.agency.suspend") and not getattr(user, "is_system", False)
    form = SuspensionForm(request.POST if request.method == "POST" and can_suspend else None)
    if request.method == "POST":
        access.check(user, "assessment.agency.suspend")
        if form.is_valid():
            try:
                if request.POST.get("action") == "reinstate":
                    services.agency_reinstate(actor=user, consulting_agency=agency, reason=form.cleaned_data["reason"])
                    messages.success(request, "已恢复其承接新业务")
                else:
                    services.agency_suspend(actor=user, consulting_agency=agency, reason=form.cleaned_data["reason"])
                    messages.success(request, "已暂停其承接新业务")
            except (ValidationError, DomainError) as exc:
                if isinstance(exc, DomainError) and exc.code == "permission_denied":
                    raise
                add_validation_errors(form, exc)
            else:
                return redirect("assessment:agency_detail", pk=agency.pk)
    record = selectors.agency_records(user, clock.today(), agency_id=agency.pk)[0]
    history = list(agency.suspensions.select_related("started_by", "lifted_by"))
    return render(request, "assessment/agency_detail.html", {
        "record": record, "form": form if can_suspend else None, "history": history,
        "labels": selectors.DEDUCTION_LABELS})

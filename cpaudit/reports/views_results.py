"""Pages of the 评估/验收 results summaries (cpaudit.reports.results): the list per campaign and phase
at the user's level, a summary's document page with the one action the user may take there (draft,
approve and submit, accept or return), its frozen versions and its files (Word, PDF, text: the same
words, the monthly report's renderers). A summary outside the user's jurisdiction is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from cpaudit.applications.models import Kind
from cpaudit.applications.selectors import deadline
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.documents.report_documents import RESULTS, issued_file
from cpaudit.org import access

from . import results, results_content, results_selectors
from .content import supervised_branches
from .deadlines import SUBMITTED_STATES
from .document import blocks_of
from .forms import ResultsDraftForm, ResultsPeriodForm, ResultsReturnForm, SubmitForm, posted_seen
from .models import ResultsLevel, ResultsSummary, ResultsVersion
from .seen import content_token, version_token
from .views import FORMATS, _agency, _campaign, _campaigns, _default_campaign, _int
from .views_documents import file_response


def _period_form(user, campaign, kind):
    return ResultsPeriodForm(initial={"campaign": campaign.slug if campaign else "", "kind": kind},
                             campaigns=_campaigns(user))


@domain_view
def results_index(request):
    """Pick a campaign and phase; the list of the user's level."""
    user = request.user
    access.check(user, "reports.results.view")
    form = ResultsPeriodForm(request.GET or None, campaigns=_campaigns(user))
    if form.is_bound and form.is_valid():
        return redirect("reports:results_list", form.cleaned_data["campaign"], form.cleaned_data["kind"])
    campaign = _default_campaign(user)
    if campaign is None or form.is_bound:
        return render(request, "reports/results_index.html", {"form": form})
    return redirect("reports:results_list", campaign.slug, Kind.EVALUATION)


@domain_view
def results_list(request, slug, kind):
    user = request.user
    access.check(user, "reports.results.view")
    campaign = _campaign(user, slug)
    return render(request, "reports/results_list.html", {
        "campaign": campaign, "kind": kind, "phase": Kind(kind).label, "period_form": _period_form(user, campaign, kind),
        "rows": results_selectors.rows(user, campaign, kind), "other_kind": _other(kind),
        "labels": results_content.labels(kind),
    })


def _other(kind: str) -> dict:
    other = Kind.ACCEPTANCE if kind == Kind.EVALUATION else Kind.EVALUATION
    return {"kind": other, "label": Kind(other).label}


def _summary(user, campaign, kind, agency) -> ResultsSummary:
    try:
        summary = results.results_for(actor=user, campaign=campaign, kind=kind, agency=agency)
    except PermissionDenied as exc:  # the role may view summaries: the unit is not the user's
        raise Http404("结果汇总不存在或不在您的辖区内") from exc
    if summary.pk is None:
        return summary
    return access.get_in_scope(user, ResultsSummary.objects.select_related(
        "agency", "agency__supervisor", "campaign", "prepared_by", "returned_by"), pk=summary.pk)


def _versions(summary) -> list[ResultsVersion]:
    if summary.pk is None:
        return []
    return list(summary.versions.select_related("submitted_by").order_by("number"))


@domain_view
def results_document(request, slug, kind, agency_pk):
    user = request.user
    access.check(user, "reports.results.view")
    campaign = _campaign(user, slug)
    agency = _agency(agency_pk, results.REPORTING_KINDS)
    try:
        summary = _summary(user, campaign, kind, agency)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    forms = {}
    if request.method == "POST":
        if _act(request, summary, request.POST.get("action"), forms):
            return redirect(request.path)
    return render(request, "reports/results_document.html", _context(request, summary, forms))


def _act(request, summary, action, forms) -> bool:
    """One action from the page. Returns True when done; else the forms with their errors are kept."""
    user, post = request.user, request.POST
    try:
        if action == "save":
            access.check(user, "reports.results.prepare", summary if summary.pk else None)
            form = forms["draft"] = ResultsDraftForm(post, city=summary.level == ResultsLevel.CITY)
            if not form.is_valid():
                return False
            results.results_save_draft(actor=user, summary=summary, remarks=form.cleaned_data["remarks"],
                                       document_number=form.cleaned_data["document_number"])
            messages.success(request, "已保存结果汇总草稿")
        elif action == "submit":
            access.check(user, "reports.results.submit", summary if summary.pk else None)
            form = forms["submit"] = SubmitForm(post, correction=bool(_versions(summary)))
            if not form.is_valid():
                return False
            version = results.results_submit(actor=user, summary=summary, seen=posted_seen(post),
                                             reason=form.cleaned_data.get("reason", ""))
            messages.success(request, f"已审批并报送第{version.number}版")
        elif action == "accept":
            access.check(user, "reports.results.review", summary if summary.pk else None)
            results.results_accept(actor=user, summary=summary, seen=posted_seen(post))
            messages.success(request, f"已接收{summary.agency}的结果汇总")
        elif action == "return":
            access.check(user, "reports.results.review", summary if summary.pk else None)
            form = forms["return"] = ResultsReturnForm(post)
            if not form.is_valid():
                return False
            results.results_return(actor=user, summary=summary, reason=form.cleaned_data["reason"],
                                   seen=posted_seen(post))
            messages.success(request, f"已退回{summary.agency}的结果汇总")
        else:
            messages.error(request, "请选择要执行的操作")
            return False
    except ValidationError as exc:
        form = forms.get({"save": "draft"}.get(action, action))
        if form is not None and hasattr(exc, "error_dict") and set(exc.message_dict) <= set(form.fields):
            add_validation_errors(form, exc)
        else:
            messages.error(request, "；".join(exc.messages))
        return False
    except InvalidState as exc:
        messages.error(request, exc.message)
        return False
    return True


def _context(request, summary, forms) -> dict:
    user, today = request.user, clock.today()
    own = getattr(user, "agency_id", None) == summary.agency_id
    above = summary.agency.supervisor
    reviewer = above is not None and getattr(user, "agency_id", None) == above.pk \
        and access.allowed(user, "reports.results.review")
    editable = summary.status in results.EDITABLE_STATES
    city = summary.level == ResultsLevel.CITY
    versions = _versions(summary)
    content = results.content_for(summary, today=today)
    can_prepare = own and editable and access.allowed(user, "reports.results.prepare")
    can_submit = own and editable and access.allowed(user, "reports.results.submit")
    args = [summary.campaign.slug, summary.kind, summary.agency_id]
    context = {
        "summary": summary, "campaign": summary.campaign, "kind": summary.kind, "phase": Kind(summary.kind).label,
        "agency": summary.agency, "deadline": deadline(summary.campaign, summary.kind),
        "content": content, "blocks": blocks_of(content), "versions": versions,
        "downloads": [(fmt, reverse("reports:results_download", args=[*args, fmt])) for fmt in FORMATS],
        "list_url": reverse("reports:results_list", args=args[:2]),
        "draft_form": (forms.get("draft") or ResultsDraftForm(
            initial={"remarks": summary.remarks, "document_number": summary.document_number}, city=city))
        if can_prepare else None,
        "submit_form": (forms.get("submit") or SubmitForm(correction=bool(versions))) if can_submit else None,
        "seen_content": content_token(content) if can_submit else "",
        "required": results.required_missing(summary) if can_submit else {},
        "can_accept": reviewer and summary.status == "submitted",
        "return_form": (forms.get("return") or ResultsReturnForm())
        if reviewer and summary.status in SUBMITTED_STATES else None,
        "seen_version": version_token(versions[-1] if versions else None),
        # A city's page lists its branches' summaries (what its consolidation annexes once accepted).
        "branches": results_selectors.rows(user, summary.campaign, summary.kind,
                                           supervised_branches(summary.agency, summary.campaign)) if city else [],
    }
    return context


@domain_view
def results_download(request, slug, kind, agency_pk, fmt):
    """The summary as a file: the submitted version when submitted (or version ?v=N), else the draft."""
    user = request.user
    access.check(user, "reports.results.view")
    campaign = _campaign(user, slug)
    agency = _agency(agency_pk, results.REPORTING_KINDS)
    try:
        summary = _summary(user, campaign, kind, agency)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    number = request.GET.get("v")
    if number:
        version = next((v for v in _versions(summary) if v.number == _int(number)), None)
        if version is None:
            raise Http404("没有这个版本")
    else:
        version = results.latest_version(summary) if summary.status in SUBMITTED_STATES else None
    content = version.content if version is not None else results.content_for(summary)
    return file_response(request, content, fmt, issued_file(RESULTS, version, fmt),
                         reverse("reports:results_document", args=[slug, kind, agency_pk]))


@domain_view
def results_version(request, pk):
    """A frozen submission, as it was submitted."""
    access.check(request.user, "reports.results.view")
    version = access.get_in_scope(request.user, ResultsVersion.objects.select_related(
        "summary", "summary__agency", "summary__campaign", "submitted_by"), pk=pk)
    summary = version.summary
    args = [summary.campaign.slug, summary.kind, summary.agency_id]
    return render(request, "reports/results_version.html", {
        "version": version, "summary": summary, "content": version.content, "blocks": blocks_of(version.content),
        "document_url": reverse("reports:results_document", args=args),
        "downloads": [(fmt, reverse("reports:results_download", args=[*args, fmt]) + f"?v={version.number}")
                      for fmt in FORMATS],
        "versions": _versions(summary),
    })

"""The city's monthly report page: every supervised branch's state with accept / return for city
staff, and the city's consolidation (drafted by city staff, submitted by the city leader)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from cpaudit.core.errors import InvalidState
from cpaudit.core.pagecache import cached_page
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.org.roles import AgencyKind

from . import services
from .forms import AcceptForm, ReturnForm, month_value, posted_seen
from .models import MonthlyReport, ReportKind, ReportStatus
from .seen import version_token
from .views import (
    STATE_BADGES,
    _agency,
    _campaign,
    _draft_or_submit,
    _fail,
    _int,
    _own,
    _report,
    _report_context,
    _unavailable,
)


@domain_view
@cached_page("reports.report.view")
def city_overview(request, slug, month, agency_pk):
    """Every supervised branch's state with accept / return for city staff; the city's consolidated
    report (free text by city staff, submission to the province by the city leader)."""
    user = request.user
    access.check(user, "reports.report.view")
    campaign = _campaign(user, slug)
    city = _agency(agency_pk, [AgencyKind.CITY])
    try:
        report = _report(user, campaign, city, month, ReportKind.CITY)
    except InvalidState as exc:
        if exc.code == "wrong_kind":
            raise Http404(exc.message) from exc
        return _unavailable(request, campaign, month, exc.message)
    draft_form = submit_form = None
    return_forms = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("accept", "return"):
            done = _review(request, campaign, month, city, action, return_forms)
            if done:
                return redirect(request.path)
        else:
            done, draft_form, submit_form = _draft_or_submit(request, report, action)
            if done:
                return redirect(request.path)
    context = _report_context(request, report, campaign, month, draft_form, submit_form)
    rows = []
    own = _own(user, city)
    province = getattr(user.agency, "kind", None) == "province"
    if own or province:
        can_review = own and access.allowed(user, "reports.report.review")
        for row in services.city_overview(actor=user, campaign=campaign, month=month, agency=city):
            report_pk = row.report.pk if row.report else None
            status = row.report.status if row.report else None
            rows.append({
                "row": row, "badge": STATE_BADGES.get(row.state, ""),
                # The version the reviewer sees listed (and opens) here, posted back with the decision (seen.py).
                "version": services.latest_version(row.report),
                "seen": version_token(services.latest_version(row.report)),
                "url": reverse("reports:branch_report", args=[campaign.slug, month_value(month), row.agency.pk]),
                "status": row.report.get_status_display() if row.report else "未编制",
                "can_accept": can_review and status == ReportStatus.SUBMITTED,
                "return_form": return_forms.get(report_pk) or (
                    ReturnForm(initial={"report": report_pk}) if can_review and status in services.SUBMITTED_STATES
                    else None),
            })
    context.update({"rows": rows, "is_own_city": own})
    return render(request, "reports/city_overview.html", context)


def _review(request, campaign, month, city, action, return_forms) -> bool:
    """Accept or return one branch report (city staff of the supervising city)."""
    user = request.user
    access.check(user, "reports.report.review")
    form = (AcceptForm if action == "accept" else ReturnForm)(request.POST)
    report_pk = form.data.get("report")
    if not form.is_valid():
        if action == "return" and report_pk:
            return_forms[_int(report_pk)] = form
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return False
    branch = access.get_in_scope(user, MonthlyReport.objects.select_related("agency", "campaign"),
                                 pk=form.cleaned_data["report"], kind=ReportKind.BRANCH, campaign=campaign,
                                 month=month, agency__supervisor=city)
    access.check(user, "reports.report.review", branch)
    try:
        seen = posted_seen(request.POST)
        if action == "accept":
            services.report_accept(actor=user, report=branch, seen=seen)
        else:
            services.report_return(actor=user, report=branch, reason=form.cleaned_data["reason"], seen=seen)
    except (ValidationError, InvalidState) as exc:
        _fail(request, exc)
        return False
    messages.success(request, f"已{'接收' if action == 'accept' else '退回'}{branch.agency}的月报")
    return True

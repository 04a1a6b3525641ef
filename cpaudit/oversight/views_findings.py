"""异常情况 pages: the findings the user may see (audit administrator, supervising level), running the
rules on demand, one finding with the log entries behind it and its review."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.core import logdisplay
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from . import selectors, services
from .forms import FindingFilterForm, ReviewForm
from .models import Finding


@domain_view
def finding_list(request):
    access.check(request.user, "oversight.finding.view")
    form = FindingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.findings(request.user, filters), settings.CPAUDIT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "oversight/finding_list.html", {
        "form": form, "page_obj": page, "filter_query": query.urlencode(),
        "can_run": access.allowed(request.user, "oversight.anomaly.run")})


@require_POST
@domain_view
def anomaly_run(request):
    result = services.anomaly_run(actor=request.user)
    messages.success(request, f"筛查完成：发现{result.found}条异常情况，其中新增{result.new}条")
    return redirect("oversight:finding_list")


@domain_view
def finding_detail(request, pk):
    access.check(request.user, "oversight.finding.view")
    finding = access.get_in_scope(request.user, Finding.objects.select_related(
        "official__agency", "supervising_agency", "reviewed_by"), pk=pk)
    form = ReviewForm(request.POST or None) if not finding.reviewed else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.finding_review(actor=request.user, finding=finding, note=form.cleaned_data["note"])
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已标记为已核查")
            return redirect("oversight:finding_detail", pk=finding.pk)
    entries = [{"entry": e, "text": logdisplay.describe(e)} for e in selectors.finding_entries(request.user, finding)]
    return render(request, "oversight/finding_detail.html", {
        "finding": finding, "entries": entries, "form": form,
        "can_review": access.allowed(request.user, "oversight.finding.review"),
        "sees_log": access.allowed(request.user, "core.log.view")})

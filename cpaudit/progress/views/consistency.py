"""The branch's list of consistency flags in a campaign (事中有控): every enrolment within the user's
jurisdiction whose own figures contradict each other, with the numbers compared; filtered by check and
county, exported to .xlsx. A fixed number of queries whatever the number of enterprises
(tests/progress/test_consistency_views.py)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from cpaudit.core import clock
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.security import events

from .. import exports
from ..forms_dashboards import ConsistencyFilterForm
from ..selectors import consistency as selectors
from ..services.consistency import CHECKS, SEVERITIES, tolerance
from .dashboards import XLSX, _campaign, _campaign_counties, _filters, _query


def _rows(request, slug, action: str):
    user = request.user
    campaign = _campaign(user, slug, action)
    form = ConsistencyFilterForm(request.GET or None, counties=_campaign_counties(user, campaign))
    filters = _filters(form)
    if filters is None:
        return campaign, form, {}, [], []
    every = selectors.campaign_flags(user, campaign, county=filters.get("county") or None)
    return campaign, form, filters, every, selectors.only(every, filters.get("check") or None)


@domain_view
def consistency_list(request, slug):
    campaign, form, filters, every, rows = _rows(request, slug, "progress.dashboard.view")
    page = Paginator(rows, settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    county = f"&county={filters['county']}" if filters.get("county") else ""
    return render(request, "progress/consistency_list.html", {
        "campaign": campaign, "form": form, "page": page, "query": _query(request),
        "counts": [(f"?check={code}{county}", CHECKS[code], n)
                   for code, n in selectors.count_by_check(every).items()],
        "tolerance": f"{tolerance() * 100:.0f}", "severities": SEVERITIES,
        "can_export": access.allowed(request.user, "progress.export"), "export_query": _query(request),
    })


class FlagExporter(exports.EnrolmentProgressExporter):
    """One row per flag."""

    columns = [("企业名称", 36), ("统一社会信用代码", 22), ("所在县（市、区）", 14), ("检查项", 30), ("性质", 10),
               ("说明（比较的数值）", 120)]

    def rows(self, rows) -> list[list]:
        return [[self.clean(v) for v in (row.enrolment.enterprise.name, row.enrolment.enterprise.uscc,
                                         row.enrolment.enterprise.county.name, flag.label, flag.severity_label,
                                         flag.message)]
                for row in rows for flag in row.flags]


@domain_view
def consistency_export(request, slug):
    """The same list (same filters, every page), one row per flag, as an .xlsx download; recorded in
    the security log (a GET writes nothing to the action log)."""
    campaign, form, filters, _, rows = _rows(request, slug, "progress.export")
    content, written = exports.export_flags(actor=request.user, campaign=campaign, rows=rows, filters=filters,
                                            exporter=FlagExporter())
    events.note_read(request, **exports.export_note(campaign, written, filters))  # the security log
    response = HttpResponse(content, content_type=XLSX)
    filename = f"数据一致性提示-{campaign.slug}-{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

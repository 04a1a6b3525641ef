"""The progress dashboard of a campaign (city, province; a branch for its county — `scope` decides), the
enrolment list behind its numbers with its Excel export, and the option list behind the option and
benefit figures. Every page runs a fixed number of queries whatever the number of enterprises
(tests/progress/test_dashboard_queries.py); every number on the dashboard links to its list."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.pagecache import cached_page
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.org.models import Division
from cpaudit.security import events

from .. import charts, exports
from ..forms_dashboards import EnrolmentFilterForm, OptionFilterForm
from ..models import BENEFITS, Option, OptionCategory, OptionStatus
from ..selectors import dashboards as selectors
from ..selectors import option_lists
from ..services import derived, rollups
from ..steps import stages

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The four words of the notice, with the benefits that show them (headline columns by county).
HEADLINE = [("energy_tce", "节能"), ("water_t", "降耗（节水）"), ("cod_t", "减污（削减COD）"), ("economic_wan", "增效")]
BENEFIT_LABELS = dict(BENEFITS)


def _campaign_counties(user, campaign: Campaign):
    """The counties of the user's enrolments in the campaign (the county filter's choices: every county
    a matrix row can link to). One query."""
    enrolled = access.scope(user, Enrolment.objects.filter(campaign=campaign)).values("enterprise__county_id")
    return Division.objects.filter(code__in=enrolled).order_by("code")


def _campaign(user, slug: str, action: str = "progress.dashboard.view") -> Campaign:
    access.check(user, action)
    return access.get_in_scope(user, Campaign.objects.all(), slug=slug)


def _filters(form: forms.Form) -> dict | None:
    """The filters, or None when one is invalid: then the list is empty (with the form's error), never
    silently the whole jurisdiction."""
    if not form.is_bound:
        return {}
    return form.cleaned_data if form.is_valid() else None


def _query(request, *drop: str) -> str:
    query = request.GET.copy()
    for key in ("page", *drop):
        query.pop(key, None)
    return query.urlencode()


class Links:
    """URLs of the lists behind the dashboard's numbers."""

    def __init__(self, campaign: Campaign):
        self.enrolments = reverse("progress:enrolment_list", args=[campaign.slug])
        self.options = reverse("progress:dashboard_options", args=[campaign.slug])

    def enrolment(self, **params) -> str:
        return self._url(self.enrolments, params)

    def option(self, **params) -> str:
        return self._url(self.options, params)

    @staticmethod
    def _url(base: str, params: dict) -> str:
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return f"{base}?{urlencode(params)}" if params else base


def _matrix_rows(matrix, links: Links, key: str) -> list[dict]:
    return [{"key": row.key, "name": row.name, "total": row.total, "href": links.enrolment(**{key: row.key}),
             "cells": [(n, links.enrolment(**{key: row.key, "stage": stage})) for stage, n in row.cells]}
            for row in matrix.rows]


def _stage_bars(totals: selectors.Totals, links: Links) -> list[charts.Bar]:
    bars = [charts.Bar("未开始", totals.not_started, links.enrolment(stage=0), muted=True)]
    bars += [charts.Bar(f"{s.number} {s.name}", s.reached, links.enrolment(stage=s.number)) for s in totals.stages]
    return bars


def _benefit_rows(benefits: dict, links: Links, factor) -> list[dict]:
    rows = []
    for b in benefits["benefits"]:
        like_for_like = b["expected_implemented"]
        flagged = bool(like_for_like) and b["achieved"] > like_for_like * factor
        rows.append({
            **b, "flagged": flagged,
            "expected_text": charts.fmt_number(b["expected"]),
            "expected_implemented_text": charts.fmt_number(like_for_like),
            "achieved_text": charts.fmt_number(b["achieved"]),
            "rate": f"{b['achieved'] / like_for_like * 100:.0f}%" if like_for_like else "—",
            "expected_href": links.option(benefit=b["field"], counted=1),
            "implemented_href": links.option(benefit=b["field"], status=OptionStatus.IMPLEMENTED),
        })
    return rows


def _status_table(by_status: list[dict], links: Links) -> list[dict]:
    """options_by_status as one row per status with both categories and their sum."""
    rows = {}
    for r in by_status:
        row = rows.setdefault(r["status"], {"status": r["status"], "label": r["status_label"], "cells": [],
                                            "n": 0, "investment": 0,
                                            "href": links.option(status=r["status"])})
        row["cells"].append({"n": r["n"], "investment": charts.fmt_number(r["investment"]),
                             "href": links.option(status=r["status"], category=r["category"])})
        row["n"] += r["n"]
        row["investment"] += r["investment"]
    for row in rows.values():
        row["investment"] = charts.fmt_number(row["investment"])
    return list(rows.values())


# The benefit roll-up's dimensions on the dashboard: (label, the option list's filter for a row's key).
BENEFIT_DIMENSIONS = {
    "county": ("县（市、区）", lambda row: {"county": row["key"]}),
    "industry": ("行业（大类）", lambda row: {"industry": row["key"]}),
    "industry_group": ("六行业", lambda row: {"industry_group": row["key"]}),
    "enterprise": ("企业", lambda row: {"enterprise": row["key"]}),
}


def _dimension_benefits(rows: list[dict], links: Links, dimension: str) -> list[dict]:
    to_filter = BENEFIT_DIMENSIONS[dimension][1]
    result = []
    for r in rows:
        key = to_filter(r)
        result.append({
            "label": r["label"], "n_options": r["n_options"], "n_implemented": r["n_implemented"],
            "investment": charts.fmt_number(r["investment"]), "href": links.option(**key, counted=1),
            "implemented_href": links.option(**key, status=OptionStatus.IMPLEMENTED),
            "cells": [{"expected": charts.fmt_number(r[f"expected_{s}"]),
                       "achieved": charts.fmt_number(r[f"achieved_{s}"]),
                       "expected_href": links.option(**key, benefit=s, counted=1),
                       "achieved_href": links.option(**key, benefit=s, status=OptionStatus.IMPLEMENTED)}
                      for s, _ in HEADLINE],
        })
    return result


@domain_view
@cached_page("progress.dashboard.view")
def dashboard(request, slug):
    """County × stage, six industries × stage and industry 大类 × stage matrices, totals and completion rates, options and investment
    by status, benefits expected vs achieved, the stale list and two SVG charts."""
    user = request.user
    campaign = _campaign(user, slug)
    by = request.GET.get("benefits_by") if request.GET.get("benefits_by") in BENEFIT_DIMENSIONS else "county"
    today = clock.today()
    targets = derived.stage_targets(campaign)
    links = Links(campaign)
    totals = selectors.totals(user, campaign, today, targets)
    county = selectors.county_stage_matrix(user, campaign)
    industry = selectors.industry_stage_matrix(user, campaign)
    groups = selectors.industry_group_stage_matrix(user, campaign)
    stale = list(selectors.stale_enrolments(user, campaign, today)[:selectors.STALE_TOP])
    for enrolment in stale:
        enrolment.idle_days = (today - timezone.localdate(enrolment.last_moved)).days
    options = option_lists.options_in_scope(user, campaign)
    by_status = rollups.options_by_status(options)
    benefits = rollups.benefit_totals(options)
    benefit_rows = _benefit_rows(benefits, links, campaign.benefit_flag_factor)
    stage_rows = [{"stage": s, "target": targets.get(s.number),
                   "reached_href": links.enrolment(stage=s.number),
                   "done_href": links.enrolment(stage_done=s.number),
                   "rate": f"{s.done_rate * 100:.0f}%"} for s in totals.stages]
    return render(request, "progress/dashboard.html", {
        "campaign": campaign, "today": today, "links": links, "totals": totals, "stage_rows": stage_rows,
        "rates": {"started": f"{totals.started_rate * 100:.0f}%", "complete": f"{totals.complete_rate * 100:.0f}%"},
        "hrefs": {"all": links.enrolment(), "started": links.enrolment(started=1),
                  "not_started": links.enrolment(stage=0), "complete": links.enrolment(complete=1),
                  "stale": links.enrolment(stale=1, sort="moved"), "behind": links.enrolment(behind=1),
                  "options": links.option(counted=1), "all_options": links.option(),
                  "implemented": links.option(status=OptionStatus.IMPLEMENTED),
                  "flagged": links.option(flagged=1)},
        "stage_columns": [("0", "未开始")] + [(str(s.number), f"{s.number} {s.name}") for s in stages()],
        "county_rows": _matrix_rows(county, links, "county"),
        "county_totals": [(n, links.enrolment(stage=stage)) for stage, n in county.column_totals],
        "industry_rows": _matrix_rows(industry, links, "industry"),
        "industry_totals": [(n, links.enrolment(stage=stage)) for stage, n in industry.column_totals],
        "group_rows": _matrix_rows(groups, links, "industry_group"),
        "group_totals": [(n, links.enrolment(stage=stage)) for stage, n in groups.column_totals],
        "status_rows": _status_table(by_status, links),
        "categories": OptionCategory.choices,
        "benefits": benefits, "benefit_rows": benefit_rows,
        "investment": charts.fmt_number(benefits["investment"]),
        "investment_implemented": charts.fmt_number(benefits["investment_implemented"]),
        "flagged": option_lists.flagged_count(options),
        "benefits_by": by, "benefit_dimensions": [(k, v[0]) for k, v in BENEFIT_DIMENSIONS.items()],
        "dimension_label": BENEFIT_DIMENSIONS[by][0],
        "dimension_benefits": _dimension_benefits(rollups.benefits_by(options, by), links, by),
        "headline": [(label, BENEFIT_LABELS[s]) for s, label in HEADLINE],
        "stale": stale, "stale_top": selectors.STALE_TOP,
        "stage_chart": charts.stage_bar_chart(_stage_bars(totals, links), title="各阶段企业数（已实施到该阶段）"),
        "benefit_chart": charts.benefit_chart(
            [charts.BenefitBar(r["label"], r["expected_implemented"], r["achieved"], r["implemented_href"],
                               r["flagged"]) for r in benefit_rows],
            title="已实施方案的效益：实际与预期对比"),
    })


def _enrolment_page(request, slug, *, action: str):
    user = request.user
    campaign = _campaign(user, slug, action)
    form = EnrolmentFilterForm(request.GET or None, counties=_campaign_counties(user, campaign))
    filters = _filters(form)
    today = clock.today()
    qs = selectors.enrolment_list(user, campaign, filters or {}, today=today)
    if filters is None:
        qs, filters = qs.none(), {}
    return campaign, form, filters, qs, today


@domain_view
@cached_page("progress.dashboard.view")
def enrolment_list(request, slug):
    """The enrolments behind the dashboard's numbers: search, filters, sorting, pagination."""
    campaign, form, filters, qs, today = _enrolment_page(request, slug, action="progress.dashboard.view")
    page = Paginator(qs, settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for enrolment in page:
        enrolment.stage_label = exports.stage_label(enrolment.reached_stage)
    current = filters.get("sort") or ""
    sort_query = _query(request, "sort")
    sort_links = {}
    for key in selectors.SORTS:
        target = f"-{key}" if current == key else key
        sort_links[key] = {"href": "?" + "&".join(p for p in (sort_query, f"sort={target}") if p),
                           "mark": "↑" if current == key else "↓" if current == f"-{key}" else ""}
    return render(request, "progress/enrolment_list.html", {
        "campaign": campaign, "form": form, "page": page, "query": _query(request), "today": today,
        "sort_links": sort_links, "total_steps": selectors.TOTAL_STEPS,
        "can_export": access.allowed(request.user, "progress.export"),
        "export_query": _query(request),
    })


@domain_view
def enrolment_list_export(request, slug):
    """The same list (same filters and order, every page) as an .xlsx download."""
    campaign, form, filters, qs, today = _enrolment_page(request, slug, action="progress.export")
    content, written = exports.export_enrolments(actor=request.user, campaign=campaign, queryset=qs, filters=filters)
    events.note_read(request, **exports.export_note(campaign, written, filters))  # the security log
    response = HttpResponse(content, content_type=XLSX)
    filename = f"审核进展企业清单-{campaign.slug}-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@domain_view
def option_list(request, slug):
    """The options behind the dashboard's option, investment and benefit figures."""
    user = request.user
    campaign = _campaign(user, slug)
    form = OptionFilterForm(request.GET or None, counties=_campaign_counties(user, campaign))
    filters = _filters(form)
    options = option_lists.option_list(user, campaign, filters or {})
    page = Paginator(options if filters is not None else options.none(), settings.CPAUDIT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    for option in page:
        option.benefit_lines = [
            {"label": label, "expected": charts.fmt_number(getattr(option, f"expected_{s}")),
             "achieved": charts.fmt_number(getattr(option, f"achieved_{s}"))}
            for s, label in BENEFITS
            if getattr(option, f"expected_{s}") is not None or getattr(option, f"achieved_{s}") is not None
        ]
        option.investment_text = charts.fmt_number(option.investment)
    return render(request, "progress/dashboard_options.html", {
        "campaign": campaign, "form": form, "page": page, "query": _query(request),
    })


@domain_view
def benefits_by_campaign(request):
    """节能、降耗、减污、增效 per campaign, over every campaign the user sees (its jurisdiction only)."""
    access.check(request.user, "progress.dashboard.view")
    rows = rollups.benefits_by(access.scope(request.user, Option.objects.all()), "campaign")
    for row in rows:
        row["href"] = reverse("progress:dashboard", args=[row["key"]])
        options_url = reverse("progress:dashboard_options", args=[row["key"]])
        row["options_href"] = f"{options_url}?counted=1"
        row["implemented_href"] = f"{options_url}?status={OptionStatus.IMPLEMENTED}"
        row["investment"] = charts.fmt_number(row["investment"])
        row["cells"] = [{"expected": charts.fmt_number(row[f"expected_{s}"]),
                         "achieved": charts.fmt_number(row[f"achieved_{s}"])} for s, _ in HEADLINE]
    return render(request, "progress/dashboard_campaigns.html", {
        "rows": rows, "headline": [(label, BENEFIT_LABELS[s]) for s, label in HEADLINE]})

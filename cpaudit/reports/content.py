"""The content of a monthly progress report: a frozen, JSON-safe dict built from the data.

Schema 2 (``"schema": 2``)::

    {
      "schema": 2,
      "kind": "branch" | "city",
      "unit": "保定市生态环境局竞秀区分局",            # the reporting agency's name
      "addressee": "保定市生态环境局",                 # 主送: the supervising agency's name ("" if none)
      "title": "<unit>关于<YYYY>年<M>月清洁生产审核工作进度的报告",
      "document_number": str,  # the report's own 文号 ("" if none; required for a city's submission)
      "campaign": {"slug", "name", "document_number" (the list's 省级文号),
                   "notice": {"title", "number", "issuer", "date"}},   # the notice the report cites
      "month": "YYYY-MM",
      "as_of": "YYYY-MM-DD",   # data date: today for the current month, else the month's last day
      "date": "YYYY-MM-DD",    # report date: today for a draft, the submission day for a version
      "sentences": [str, …],   # one per stage that has enterprises, in stage order (no final 。)
      "not_started": str,      # the not-started line, "" when every enterprise has started
      "table": {"headers": ["阶段", "企业数（家）"],
                "rows": [[stage name, n] for stages 1–7 (zeros included)] + [["尚未开始", n]],
                "total": n},
      "industries": <grid>,    # the six industry groups (+ 其他 when any) × stage
      "summary": <grid>,       # city only: supervised branch × stage
      "applications": {"evaluation": {"applied", "passed", "failed"}, "acceptance": {…}},
      "problems": str, "remarks": str,   # as written by staff
      "stalled": [enterprise name, …],
      "sections": [],          # branch: []; city: one per supervised branch (below)
      "version": int | None, "prepared_by": str, "submitted_by": str,
      "blocks": [block, …],    # the document's wording (document.py), what every renderer prints
    }

A grid: {"headers": [label header, 7 stage names, "尚未开始", "合计"], "rows": [[label, n…, total]],
"totals": ["合计", n…, total]}. A city section: {"unit", "status" (a deadline label: 按时报送/逾期报送/
逾期未报送/未报送, or 已退回), "submitted" (bool), "sentences", "not_started", "table", "problems",
"stalled", and for a submitted branch report its "title", "date" and "blocks" (printed as an annex)}.

Schema 1 (no "schema" key: versions frozen before) has no blocks, industries, summary, notice or
document_number; document.blocks_of builds its blocks from those older keys when it is printed.

Sentence rule: enterprise names sorted by name (Python code-point order), at most three named.
1 enterprise: "A已实施到<阶段>阶段"; 2: "A、B已实施到…"; 3 or more: "A、B、C等N家企业已实施到…".
The not-started line follows the same naming rule with "尚未开始审核".

Which data: the state as of the data date (standings.py): reconstructed from the dated step records,
and for the live data date (today) also bounded by the records' current status.
"""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from cpaudit.progress.steps import stages

from . import document
from .standings import (  # noqa: F401  (re-exported: the module's public vocabulary)
    NOT_STARTED_ROW,
    TOTAL_STEPS,
    Standing,
    data_date,
    grid,
    industry_grid,
    month_end,
    month_start,
    parse_month,
    standings,
    standings_at,
)

SCHEMA = 2
TABLE_HEADERS = ["阶段", "企业数（家）"]


def title(unit: str, month: dt.date) -> str:
    return f"{unit}关于{month.year}年{month.month}月清洁生产审核工作进度的报告"


# --- sentences -------------------------------------------------------------------------------------

def name_list(names) -> str:
    """Up to three names joined by 、, then 等N家企业 when there are three or more ("" for none)."""
    names = sorted(names)
    n = len(names)
    if n == 0:
        return ""
    if n <= 2:
        return "、".join(names)
    return f"{'、'.join(names[:3])}等{n}家企业"


def stage_sentence(names, stage_name: str) -> str:
    return f"{name_list(names)}已实施到{stage_name}阶段" if names else ""


def not_started_line(names) -> str:
    return f"{name_list(names)}尚未开始审核" if names else ""


def sentences_for(by_stage: dict[int, list[str]]) -> list[str]:
    """One sentence per stage that has enterprises, in stage order."""
    return [stage_sentence(by_stage[s.number], s.name) for s in stages() if by_stage.get(s.number)]


def table_for(by_stage: dict[int, list[str]], not_started: list[str]) -> dict:
    rows = [[s.name, len(by_stage.get(s.number, []))] for s in stages()]
    rows.append([NOT_STARTED_ROW, len(not_started)])
    return {"headers": list(TABLE_HEADERS), "rows": rows, "total": sum(r[1] for r in rows)}


def summary(items: list[Standing]) -> dict:
    """sentences, not_started, table, industries and stalled of a set of enrolments."""
    by_stage: dict[int, list[str]] = defaultdict(list)
    not_started = []
    for item in items:
        (by_stage[item.reached] if item.reached else not_started).append(item.name)
    return {
        "sentences": sentences_for(by_stage),
        "not_started": not_started_line(not_started),
        "table": table_for(by_stage, not_started),
        "industries": industry_grid(items),
        "stalled": sorted(item.name for item in items if item.stalled),
    }


# --- applications ----------------------------------------------------------------------------------

def applications_at(campaign, counties, as_of: dt.date) -> dict:
    """评估/验收 applied (first submitted), passed and failed (result dated) by `as_of`, one count per
    enterprise and kind (a failed application replaced by a new one is not counted). One query."""
    return applications_by_county(campaign, counties, as_of, split=False)[None]


def applications_by_county(campaign, counties, as_of: dt.date, *, split: bool = True) -> dict:
    """applications_at for each of `counties` ({county: counts}; with split=False, {None: all}). One
    query whatever the number of counties (a city's overview counts every branch at once)."""
    from django.db.models import Min

    from cpaudit.applications.models import Application, Kind, Status
    from cpaudit.applications.selectors import superseded_q

    keys = list(counties) if split else [None]
    result = {key: {kind: {"applied": 0, "passed": 0, "failed": 0} for kind in Kind.values} for key in keys}
    rows = (Application.objects.filter(campaign=campaign, enrolment__enterprise__county_id__in=list(counties))
            .exclude(superseded_q())
            .annotate(first=Min("versions__submitted_at"))
            .values_list("kind", "status", "result_date", "first", "enrolment__enterprise__county_id"))
    for kind, status, result_date, first, county in rows:
        counts = result[county if split else None]
        if first is None or timezone.localtime(first).date() > as_of:
            continue
        counts[kind]["applied"] += 1
        if result_date is not None and result_date <= as_of:
            if status == Status.PASSED:
                counts[kind]["passed"] += 1
            elif status == Status.FAILED:
                counts[kind]["failed"] += 1
    return result


def applications_for(campaign, counties, month: dt.date, today: dt.date) -> dict:
    return applications_at(campaign, counties, data_date(month, today))


def applications_sentence(applications: dict | None) -> str:
    """评估：已申请N家，通过M家，未通过K家；验收：已申请N家，合格M家，不合格K家 ("" for older versions)."""
    if not applications:
        return ""
    e, a = applications.get("evaluation", {}), applications.get("acceptance", {})
    return (f"评估：已申请{e.get('applied', 0)}家，通过{e.get('passed', 0)}家，未通过{e.get('failed', 0)}家；"
            f"验收：已申请{a.get('applied', 0)}家，合格{a.get('passed', 0)}家，不合格{a.get('failed', 0)}家")


# --- the report ------------------------------------------------------------------------------------

def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or getattr(user, "username", "") or str(user)


def campaign_part(campaign) -> dict:
    return {"slug": campaign.slug, "name": campaign.name, "document_number": campaign.document_number,
            "notice": {"title": campaign.notice_title, "number": campaign.notice_number,
                       "issuer": campaign.notice_issuer,
                       "date": campaign.notice_date.isoformat() if campaign.notice_date else ""}}


def _base(report, month: dt.date, today: dt.date) -> dict:
    agency, campaign = report.agency, report.campaign
    supervisor = agency.supervisor
    return {
        "schema": SCHEMA,
        "kind": report.kind,
        "unit": agency.name,
        "addressee": supervisor.name if supervisor else "",
        "title": title(agency.name, month),
        "document_number": (report.document_number or "").strip(),
        "campaign": campaign_part(campaign),
        "month": f"{month:%Y-%m}",
        "as_of": data_date(month, today).isoformat(),
        "date": today.isoformat(),
        "problems": report.problems,
        "remarks": report.remarks,
        "sections": [],
        "version": None,
        "prepared_by": _person(report.prepared_by),
        "submitted_by": "",
    }


def supervised_branches(city, campaign=None):
    """The county branches a city-level agency supervises (as jurisdiction.agency_counties), by code;
    with a campaign, only those whose county is in the campaign (the others have nothing to report)."""
    from cpaudit.campaigns.models import CampaignCounty
    from cpaudit.org.models import Agency
    from cpaudit.org.roles import AgencyKind

    branches = Agency.objects.filter(supervisor=city, kind=AgencyKind.COUNTY).select_related("supervisor")
    if campaign is not None:
        branches = branches.filter(division_id__in=CampaignCounty.objects.filter(campaign=campaign).values("county_id"))
    return list(branches.order_by("division_id", "pk"))


def build_branch(report, today: dt.date, *, items: list[Standing] | None = None,
                 applications: dict | None = None) -> dict:
    """The live (current month) or reconstructed (past month) draft content of a branch report,
    without its blocks (finish() adds them once the version and signer are known). `items` and
    `applications`: the branch's standings and application counts when the caller has read them for
    several branches at once (services.city_sections), else read here."""
    month = month_start(report.month)
    content = _base(report, month, today)
    counties = [report.agency.division_id]
    content.update(summary(standings(report.campaign, counties, month, today) if items is None else items))
    content["applications"] = (applications_for(report.campaign, counties, month, today) if applications is None
                               else applications)
    return _ordered(content)


def build_city(report, today: dt.date, sections: list[dict], *, items: list[Standing] | None = None) -> dict:
    """A city consolidation: the city's figures over every supervised county as of its data date (the
    body, with one row per branch), plus the given sections (services.city_sections: each branch's
    report state, problems and, when submitted, its document for the annexes). `items`: the supervised
    counties' standings when the caller has read them (services.build_data)."""
    month = month_start(report.month)
    content = _base(report, month, today)
    branches = supervised_branches(report.agency, report.campaign)
    if items is None:
        items = standings(report.campaign, [b.division_id for b in branches], month, today)
    content.update(summary(items))
    by_county = defaultdict(list)
    for item in items:
        by_county[item.county].append(item)
    content["summary"] = grid("分局", [(document.short_unit(b.name, report.agency.name), by_county[b.division_id])
                                      for b in branches])
    content["applications"] = applications_for(report.campaign, [b.division_id for b in branches], month, today)
    content["sections"] = sections
    return _ordered(content)


def section_from(content: dict, status: str, submitted: bool) -> dict:
    """A city section from a branch report's content (frozen or live); a submitted one carries its
    document (blocks) for the annex."""
    section = {"unit": content["unit"], "status": status, "submitted": submitted,
               "sentences": list(content["sentences"]), "not_started": content["not_started"],
               "table": content["table"], "problems": content["problems"], "stalled": list(content["stalled"])}
    if submitted:
        section.update(title=content.get("title", ""), date=content.get("date", ""),
                       blocks=document.blocks_of(content))
    return section


KEYS = ("schema", "kind", "unit", "addressee", "title", "document_number", "campaign", "month", "as_of", "date",
        "sentences", "not_started", "table", "industries", "summary", "applications", "problems", "remarks",
        "stalled", "sections", "version", "prepared_by", "submitted_by", "blocks")


def _ordered(content: dict) -> dict:
    return {key: content[key] for key in KEYS if key in content}


def finish(content: dict, *, version: int | None = None, submitted_by: str = "") -> dict:
    """The content with its version, signer and the document's wording (blocks), composed once."""
    content = dict(content, version=version, submitted_by=submitted_by)
    content["blocks"] = document.compose(content)
    return _ordered(content)


def counts_total(content: dict) -> int:
    """Enterprises named by the text: the N of every sentence plus the not-started line, read back
    from the table (the table and the text are built from the same grouping)."""
    return content["table"]["total"]

"""The content of a monthly progress report: a frozen, JSON-safe dict built from the data.

The renderers (cpaudit/reports/render/…, render_txt.py) rely on exactly this schema::

    {
      "kind": "branch" | "city",
      "unit": "保定市生态环境局竞秀区分局",            # the reporting agency's name
      "addressee": "保定市生态环境局",                 # 主送: the supervising agency's name ("" if none)
      "title": "<unit>关于<YYYY>年<M>月清洁生产审核工作进度的报告",
      "campaign": {"slug": str, "name": str, "document_number": str},
      "month": "YYYY-MM",
      "as_of": "YYYY-MM-DD",   # data date: today for the current month, else the month's last day
      "date": "YYYY-MM-DD",    # report date: today for a draft, the submission day for a version
      "sentences": [str, …],   # one per stage that has enterprises, in stage order (no final 。)
      "not_started": str,      # the not-started line, "" when every enterprise has started
      "table": {"headers": ["阶段", "企业数（家）"],
                "rows": [[stage name, n] for stages 1–7 (zeros included)] + [["尚未开始", n]],
                "total": n},
      "applications": {"evaluation": {"applied": n, "passed": n, "failed": n},
                       "acceptance": {…the same}},   # as of the data date (absent in older versions)
      "problems": str, "remarks": str,
      "stalled": [enterprise name, …],  # did not move during the month (see below), by name
      "sections": [],          # branch: always []; city: one per supervised branch (below)
      "version": int | None,   # None for a draft
      "prepared_by": str,      # 经办人 (name), "" if none
      "submitted_by": str,     # "" for a draft
    }

A city section: {"unit", "status" (a deadline label: 按时报送/逾期报送/逾期未报送/未报送, or 已退回),
"sentences", "not_started", "table", "problems", "stalled"} — taken from the branch's submitted
version when the branch report is submitted/accepted, else from its live (or reconstructed) data.

Sentence rule: enterprise names sorted by name (Python code-point order), at most three named.
1 enterprise: "A已实施到<阶段>阶段"; 2: "A、B已实施到…"; 3 or more: "A、B、C等N家企业已实施到…"
(so exactly three reads "A、B、C等3家企业…": "up to three names, then 等N家"; only one or two omit
等). The not-started line follows the same naming rule with "尚未开始审核".

Which data: for the current month the live state (a step counts as started when its status is not
未开始, as the dashboards' reached_stage); for a past month the state at its last day reconstructed
from the dated step records (started: start_date or completion_date ≤ that day; completed:
completion_date ≤ that day). An enrolment whose start_date is after the data date counts as not
started. Enrolment.created_at is NOT used to drop enrolments: lists are entered after the fact, so it
does not tell when an enterprise joined. A reopened step loses its completion date, so a
reconstruction can undercount completions (not stages: the start date stays).

Stalled (did not move during the month): not all 35 steps completed as of the data date, enrolment
started (start_date empty or ≤ data date), and no step start_date/completion_date between the
month's first day and the data date.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.progress.steps import all_steps, stages

TABLE_HEADERS = ["阶段", "企业数（家）"]
NOT_STARTED_ROW = "尚未开始"
TOTAL_STEPS = len(all_steps())
_STAGE_OF_STEP = {s.number: s.stage for s in all_steps()}


# --- months and dates ------------------------------------------------------------------------------

def month_start(month: dt.date) -> dt.date:
    return month.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def parse_month(text: str) -> dt.date:
    """"YYYY-MM" → the month's first day; ValueError with a Chinese message otherwise."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"月份格式应为 YYYY-MM（如 2020-05），实际为“{text}”") from None


def data_date(month: dt.date, today: dt.date) -> dt.date:
    """The day the data are taken at: today within the current month, else the month's last day.
    A future month has no data date (ValueError)."""
    if month_start(month) > today:
        raise ValueError(f"{month.year}年{month.month}月尚未开始，不能编制进度报告")
    return min(today, month_end(month))


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


# --- the data --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """One enrolment as of the data date."""

    name: str
    county: str
    reached: int  # 0 = not started
    moved: bool  # a step date within the month (up to the data date)
    finished: bool  # all 35 steps completed
    begun: bool  # the enrolment's start date is not after the data date

    @property
    def stalled(self) -> bool:
        return self.begun and not self.finished and not self.moved


def standings(campaign, counties, month: dt.date, today: dt.date) -> list[Standing]:
    """Every enrolment of the campaign in `counties` as of the month's data date. Two queries."""
    as_of = data_date(month, today)
    first = month_start(month)
    live = as_of == today
    enrolments = list(Enrolment.objects.filter(campaign=campaign, enterprise__county_id__in=list(counties))
                      .values_list("pk", "start_date", "enterprise__name", "enterprise__county_id"))
    records = defaultdict(list)
    for row in (StepRecord.objects.filter(enrolment__campaign=campaign,
                                          enrolment__enterprise__county_id__in=list(counties))
                .values_list("enrolment_id", "step_id", "status", "start_date", "completion_date")):
        records[row[0]].append(row[1:])
    result = []
    for pk, start, name, county in enrolments:
        begun = start is None or start <= as_of
        reached, completed, moved = 0, 0, False
        for step_no, status, started_on, completed_on in records[pk]:
            if live:
                started, done = status != StepStatus.NOT_STARTED, status == StepStatus.COMPLETED
            else:
                started = any(d is not None and d <= as_of for d in (started_on, completed_on))
                done = completed_on is not None and completed_on <= as_of
            if started and begun:
                reached = max(reached, _STAGE_OF_STEP[step_no])
            completed += bool(done)
            moved = moved or any(d is not None and first <= d <= as_of for d in (started_on, completed_on))
        result.append(Standing(name, county, reached, moved, completed >= TOTAL_STEPS, begun))
    return result


def summary(items: list[Standing]) -> dict:
    """sentences, not_started, table and stalled of a set of enrolments."""
    by_stage: dict[int, list[str]] = defaultdict(list)
    not_started = []
    for item in items:
        (by_stage[item.reached] if item.reached else not_started).append(item.name)
    return {
        "sentences": sentences_for(by_stage),
        "not_started": not_started_line(not_started),
        "table": table_for(by_stage, not_started),
        "stalled": sorted(item.name for item in items if item.stalled),
    }


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or getattr(user, "username", "") or str(user)


def _base(report, month: dt.date, today: dt.date) -> dict:
    agency, campaign = report.agency, report.campaign
    supervisor = agency.supervisor
    return {
        "kind": report.kind,
        "unit": agency.name,
        "addressee": supervisor.name if supervisor else "",
        "title": title(agency.name, month),
        "campaign": {"slug": campaign.slug, "name": campaign.name, "document_number": campaign.document_number},
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


def applications_for(campaign, counties, month: dt.date, today: dt.date) -> dict:
    """评估/验收 applied (first submitted), passed and failed (result dated) by the data date, one count
    per enterprise and kind (a failed application replaced by a new one is not counted). One query."""
    from django.db.models import Min

    from cpaudit.applications.models import Application, Kind, Status

    as_of = data_date(month, today)
    counts = {kind: {"applied": 0, "passed": 0, "failed": 0} for kind in Kind.values}
    from cpaudit.applications.selectors import superseded_q

    rows = (Application.objects.filter(campaign=campaign, enrolment__enterprise__county_id__in=list(counties))
            .exclude(superseded_q())
            .annotate(first=Min("versions__submitted_at")).values_list("kind", "status", "result_date", "first"))
    for kind, status, result_date, first in rows:
        if first is None or timezone.localtime(first).date() > as_of:
            continue
        counts[kind]["applied"] += 1
        if result_date is not None and result_date <= as_of:
            if status == Status.PASSED:
                counts[kind]["passed"] += 1
            elif status == Status.FAILED:
                counts[kind]["failed"] += 1
    return counts


def applications_sentence(applications: dict | None) -> str:
    """评估：已申请N家，通过M家，未通过K家；验收：已申请N家，合格M家，不合格K家 ("" for older versions)."""
    if not applications:
        return ""
    e, a = applications.get("evaluation", {}), applications.get("acceptance", {})
    return (f"评估：已申请{e.get('applied', 0)}家，通过{e.get('passed', 0)}家，未通过{e.get('failed', 0)}家；"
            f"验收：已申请{a.get('applied', 0)}家，合格{a.get('passed', 0)}家，不合格{a.get('failed', 0)}家")


def build_branch(report, today: dt.date) -> dict:
    """The live (current month) or reconstructed (past month) draft content of a branch report."""
    month = month_start(report.month)
    content = _base(report, month, today)
    counties = [report.agency.division_id]
    content.update(summary(standings(report.campaign, counties, month, today)))
    content["applications"] = applications_for(report.campaign, counties, month, today)
    return _ordered(content)


def build_city(report, today: dt.date, sections: list[dict]) -> dict:
    """A city consolidation: city totals over every supervised county plus the given sections
    (built by services.city_sections, which knows the branches' report states)."""
    month = month_start(report.month)
    content = _base(report, month, today)
    counties = [b.division_id for b in supervised_branches(report.agency, report.campaign)]
    content.update(summary(standings(report.campaign, counties, month, today)))
    content["applications"] = applications_for(report.campaign, counties, month, today)
    content["sections"] = sections
    return _ordered(content)


def section_from(content: dict, status: str) -> dict:
    """A city section from a branch report's content (frozen or live)."""
    return {"unit": content["unit"], "status": status, "sentences": list(content["sentences"]),
            "not_started": content["not_started"], "table": content["table"], "problems": content["problems"],
            "stalled": list(content["stalled"])}


KEYS = ("kind", "unit", "addressee", "title", "campaign", "month", "as_of", "date", "sentences", "not_started",
        "table", "applications", "problems", "remarks", "stalled", "sections", "version", "prepared_by", "submitted_by")


def _ordered(content: dict) -> dict:
    return {key: content[key] for key in KEYS if key in content}


def counts_total(content: dict) -> int:
    """Enterprises named by the text: the N of every sentence plus the not-started line, read back
    from the table (the table and the text are built from the same grouping)."""
    return content["table"]["total"]

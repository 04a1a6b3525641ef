"""Consistency flags (services.consistency) for whoever decides on an audit: the reviewers of an
application, the experts scoring it, the branch watching its enterprises.

- `consistency_flags(enrolment, kind=None)`: the flags of one enrolment, as seen by the reviewer of an
  application of `kind` ("evaluation" / "acceptance"; None: the branch). Five queries.
- `flags_for_enrolments(ids, kind=None)`: the same for many enrolments at once, still five queries.
- `campaign_flags(user, campaign, county=None)`: the enrolments of a campaign within the user's
  jurisdiction that have flags (the branch's list; `only` keeps one check). Six queries.
- `option_flags(enrolment, kind)`: only "中/高费方案在评估通过前实施", as {code, message} dicts; two
  queries.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.org import access

from ..models import BENEFITS, Figures, Option, OptionCategory, OptionStatus, ProductOutput
from ..services import consistency
from ..services.consistency import IMPLEMENTED_BEFORE_EVALUATION, Audit, Flag  # noqa: F401  (re-exported)

# What the checks read of an option.
OPTION_FIELDS = ["enrolment_id", "name", "category", "status", "investment", "actual_date", "abandon_reason",
                 *(f"achieved_{suffix}" for suffix, _ in BENEFITS)]


def evaluation_passed_on(enrolment):
    """The date the enrolment's 评估 passed (the latest passed one), or None. One query."""
    from cpaudit.applications.models import Application, Kind, Status

    return (Application.objects.filter(enrolment=enrolment, kind=Kind.EVALUATION, status=Status.PASSED)
            .aggregate(day=Max("result_date"))["day"])


def _applications(ids: list[int]) -> tuple[dict, set]:
    """(enrolment id → date its latest 评估 passed, ids with a 验收 submitted and not failed). One query."""
    from cpaudit.applications.models import Application, Kind, Status

    passed = Q(kind=Kind.EVALUATION, status=Status.PASSED)
    applied = Q(kind=Kind.ACCEPTANCE, submitted_at__isnull=False) & ~Q(status=Status.FAILED)
    rows = (Application.objects.filter(enrolment_id__in=ids).filter(passed | applied).order_by()
            .values("enrolment_id", "kind", "status").annotate(day=Max("result_date")))
    passed_on, accepted = {}, set()
    for row in rows:
        if row["kind"] == Kind.ACCEPTANCE:
            accepted.add(row["enrolment_id"])
        elif row["status"] == Status.PASSED and row["day"] is not None:
            current = passed_on.get(row["enrolment_id"])
            passed_on[row["enrolment_id"]] = row["day"] if current is None else max(current, row["day"])
    return passed_on, accepted


def audits(enrolment_ids) -> dict[int, Audit]:
    """enrolment id → what the checks read, for every id given. Five queries: campaign states, figures,
    their products, options, applications."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    active = Campaign.Status.ACTIVE
    result = {pk: Audit(campaign_active=status == active)
              for pk, status in Enrolment.objects.filter(pk__in=ids).values_list("pk", "campaign__status")}
    figures = Figures.objects.filter(enrolment_id__in=ids).prefetch_related(
        Prefetch("products", queryset=ProductOutput.objects.order_by("pk")))
    for item in figures:
        audit = result[item.enrolment_id]
        if item.kind == Figures.Kind.BASELINE:
            audit.baseline = item
        else:
            audit.after = item
    for option in Option.objects.filter(enrolment_id__in=ids).only(*OPTION_FIELDS).order_by("enrolment_id", "pk"):
        result[option.enrolment_id].options.append(option)
    passed_on, accepted = _applications(list(result))
    for pk, audit in result.items():
        audit.evaluation_passed_on = passed_on.get(pk)
        audit.acceptance_applied = pk in accepted
    return result


def flags_for_enrolments(enrolment_ids, kind: str | None = None) -> dict[int, list[Flag]]:
    """enrolment id → its flags (an empty list when none), for every id given. Five queries."""
    allowed = consistency.tolerance()
    return {pk: consistency.check(audit, kind, allowed=allowed) for pk, audit in audits(enrolment_ids).items()}


def consistency_flags(enrolment, kind: str | None = None) -> list[Flag]:
    """The flags of one enrolment (see services.consistency.check for `kind`). Five queries."""
    return flags_for_enrolments([enrolment.pk], kind)[enrolment.pk]


@dataclass
class Row:
    enrolment: Enrolment
    flags: list[Flag]


def campaign_flags(user, campaign, *, county: str | None = None) -> list[Row]:
    """The enrolments of `campaign` in the user's scope (in `county` if given) with at least one flag,
    by county and name. Six queries."""
    qs = access.scope(user, Enrolment.objects.filter(campaign=campaign)).select_related(
        "enterprise", "enterprise__county").order_by("enterprise__county_id", "enterprise__name", "pk")
    if county:
        qs = qs.filter(enterprise__county_id=county)
    enrolments = list(qs)
    flags = flags_for_enrolments([e.pk for e in enrolments])
    return [Row(enrolment, flags[enrolment.pk]) for enrolment in enrolments if flags[enrolment.pk]]


def only(rows: list[Row], code: str | None) -> list[Row]:
    """The rows with a flag of check `code`, each with only those flags (all rows when None)."""
    if code is None:
        return rows
    found = [Row(row.enrolment, [f for f in row.flags if f.code == code]) for row in rows]
    return [row for row in found if row.flags]


def count_by_check(rows: list[Row]) -> dict[str, int]:
    """check code → number of enrolments flagged by it (every check, zeros included)."""
    counts = defaultdict(int)
    for row in rows:
        for code in {f.code for f in row.flags}:
            counts[code] += 1
    return {code: counts[code] for code in consistency.CHECKS}


def option_flags(enrolment, kind: str) -> list[dict]:
    """[{code, message}] for the 中/高费 options of `enrolment` implemented before its 评估, as seen by
    the reviewer of an application of `kind` ("evaluation" or "acceptance"). Two queries."""
    options = list(Option.objects.filter(enrolment=enrolment, category=OptionCategory.HIGH,
                                         status=OptionStatus.IMPLEMENTED).only("name", "category", "status",
                                                                               "actual_date"))
    audit = Audit(options=options, evaluation_passed_on=evaluation_passed_on(enrolment))
    return [{"code": f.code, "message": f.message}
            for f in consistency.implemented_before_evaluation(audit, this_application=kind == "evaluation")]

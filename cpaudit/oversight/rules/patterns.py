"""Patterns across many decisions: who decides on whose clients, who sits on whose panels, whose clients
always pass. Each compares a count with what the situation makes ordinary, and names both numbers.

- Concentration: at one desk (an agency's step, e.g. 保定市生态环境局's 初审), a reviewer deciding on one
  consulting agency's clients at least FACTOR times the mean of the colleagues who decided at that desk
  (so a desk of one person is never "concentrated"), and at least MIN applications.
- Expert–agency pairs: an expert on the current panels of one consulting agency's clients at least MIN
  times, when the random draws make that improbable: each draw whose eligible list held the expert
  seats it with probability members / eligible, and the chance of at least that many seats (corrected
  for the number of pairs looked at) must be below CPAUDIT_ANOMALY_PAIR_CHANCE_PERMILLE. A small pool
  repeats itself by chance; a rigged draw does not.
- All pass: a consulting agency with at least MIN clients whose results were confirmed in the
  platform, none failed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from ..models import Rule
from .base import DRAWS, Context, FindingSpec


def _one_decimal(value: float) -> str:
    return str(Decimal(f"{value:.6f}").quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _names(model, ids) -> dict[int, str]:
    return {pk: str(obj) for pk, obj in model.objects.in_bulk(sorted(set(ids))).items()} if ids else {}


def concentration(ctx: Context) -> list[FindingSpec]:
    from cpaudit.applications.models import Step
    from cpaudit.org.models import Agency
    from cpaudit.registry.models import ConsultingAgency

    factor, least = settings.CPAUDIT_ANOMALY_CONCENTRATION_FACTOR, settings.CPAUDIT_ANOMALY_CONCENTRATION_MIN
    desks: dict[tuple, set] = defaultdict(set)  # (agency, step) → reviewers who decided there
    handled: dict[tuple, set] = defaultdict(set)  # (agency, step, consulting agency, reviewer) → applications
    for application, actor, agency, step, _, consulting, _ in ctx.decisions:
        desks[(agency, step)].add(actor)
        if consulting:
            handled[(agency, step, consulting, actor)].add(application)
    per_agency: dict[tuple, int] = defaultdict(int)
    for (agency, step, consulting, _), apps in handled.items():
        per_agency[(agency, step, consulting)] += len(apps)
    hits = []
    for (agency, step, consulting, actor), apps in handled.items():
        mean = per_agency[(agency, step, consulting)] / len(desks[(agency, step)])
        if len(apps) >= least and len(apps) >= factor * mean:
            hits.append((agency, step, consulting, actor, apps, mean))
    if not hits:
        return []
    agencies = _names(Agency, [h[0] for h in hits])
    firms = _names(ConsultingAgency, [h[2] for h in hits])
    entries = ctx.decision_entries()
    found = []
    for agency, step, consulting, actor, apps, mean in sorted(hits, key=lambda h: (h[0], h[1], h[2], h[3])):
        wanted = {str(a) for a in apps}
        seqs = [e.seq for e in entries if e.actor_id == actor and e.object_id in wanted]
        name = next((e.actor_name for e in entries if e.actor_id == actor), str(actor))
        colleagues = len(desks[(agency, step)])
        found.append(FindingSpec(
            rule=Rule.CONCENTRATION, key=f"concentration:{agency}:{step}:{consulting}:{actor}", official_id=actor,
            summary=f"{name}在{agencies[agency]}「{Step(step).label}」环节办理了{firms[consulting]}服务的"
                    f"{len(apps)}家企业的申请，是该环节{colleagues}名经办人平均数（{_one_decimal(mean)}）的"
                    f"{_one_decimal(len(apps) / mean)}倍",
            details={"办理件数": len(apps), "同环节人数": colleagues, "平均件数": _one_decimal(mean),
                     "倍数阈值": factor, "最少件数": least},
            log_seqs=seqs))
    return found


def chance_of_at_least(probabilities: list[float], k: int) -> float:
    """P(at least k seats) when each draw seats the expert independently with its own probability
    (the Poisson-binomial tail, computed exactly)."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for j, v in enumerate(dist):
            nxt[j] += v * (1 - p)
            nxt[j + 1] += v * p
        dist = nxt
    return sum(dist[k:])


def expert_pairs(ctx: Context) -> list[FindingSpec]:
    from cpaudit.experts.models import Expert, Panel, PanelMember
    from cpaudit.registry.models import ConsultingAgency

    least = settings.CPAUDIT_ANOMALY_PAIR_MIN
    level = settings.CPAUDIT_ANOMALY_PAIR_CHANCE_PERMILLE / 1000
    panels = list(Panel.objects.filter(is_current=True, application__enrolment__consulting_agency__isnull=False)
                  .values_list("pk", "application__enrolment__consulting_agency_id", "eligible_ids"))
    members: dict[int, list[int]] = defaultdict(list)
    for panel, expert in PanelMember.objects.filter(panel__in=[p[0] for p in panels]).values_list("panel_id",
                                                                                                  "expert_id"):
        members[panel].append(expert)
    seen: dict[tuple, list[int]] = defaultdict(list)
    chances: dict[tuple, list[float]] = defaultdict(list)  # the seat probability of each draw
    for panel, consulting, eligible in panels:
        eligible = eligible or []
        share = min(1.0, len(members[panel]) / len(eligible)) if eligible else 1.0
        for expert in eligible:
            chances[(expert, consulting)].append(share)
        for expert in members[panel]:
            seen[(expert, consulting)].append(panel)
    # Many pairs are looked at: the chance is corrected for their number (Bonferroni), so a pool that
    # merely repeats itself is not reported.
    tested = len(seen)
    hits = []
    for key, sat in seen.items():
        if len(sat) < least:
            continue
        chance = chance_of_at_least(chances.get(key) or [1.0] * len(sat), len(sat))
        if chance * tested < level:
            hits.append((key, sat, chance))
    if not hits:
        return []
    experts = _names(Expert, [k[0] for k, _, _ in hits])
    firms = _names(ConsultingAgency, [k[1] for k, _, _ in hits])
    draws = [e for e in ctx.other_entries if e.action in DRAWS]
    users = dict(Expert.objects.filter(pk__in=[k[0] for k, _, _ in hits]).values_list("pk", "user_id"))
    found = []
    for (expert, consulting), sat, chance in sorted(hits):
        wanted = {str(p) for p in sat}
        expected = sum(chances.get((expert, consulting), []))
        found.append(FindingSpec(
            rule=Rule.PAIR, key=f"pair:{expert}:{consulting}", official_id=users.get(expert), province_leaders=True,
            summary=f"专家{experts[expert]}在{firms[consulting]}服务的企业的评审专家组中出现{len(sat)}次，"
                    f"随机抽取的期望次数为{_one_decimal(expected)}次，偶然出现{len(sat)}次及以上的概率约为"
                    f"{_probability(chance)}",
            details={"出现次数": len(sat), "期望次数": _one_decimal(expected), "偶然概率": _probability(chance),
                     "比较的专家与机构组合数": tested, "最少次数": least,
                     "概率阈值（校正后）": f"{settings.CPAUDIT_ANOMALY_PAIR_CHANCE_PERMILLE}‰"},
            log_seqs=[e.seq for e in draws if e.object_id in wanted]))
    return found


def _probability(value: float) -> str:
    return f"{value * 100:.2g}%"


def all_pass(ctx: Context) -> list[FindingSpec]:
    from cpaudit.applications.models import Decision, Outcome, Step
    from cpaudit.registry.models import ConsultingAgency

    least = settings.CPAUDIT_ANOMALY_ALL_PASS_MIN
    results: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))  # agency → enterprise → apps
    confirmed = Decision.objects.filter(step=Step.RESULT_CONFIRMATION, transcribed=False, outcome=Outcome.AGREE,
                                        application__enrolment__consulting_agency__isnull=False)
    for application, consulting, enterprise, passed in confirmed.values_list(
            "application_id", "application__enrolment__consulting_agency_id", "application__enrolment__enterprise_id",
            "checks__passed"):
        results[consulting][enterprise].append((application, passed))
    hits = [(consulting, clients) for consulting, clients in results.items()
            if len(clients) >= least and all(p for apps in clients.values() for _, p in apps)]
    if not hits:
        return []
    firms = _names(ConsultingAgency, [c for c, _ in hits])
    codes = {"applications.application.result_confirmation"}
    found = []
    for consulting, clients in sorted(hits):
        apps = {str(a) for values in clients.values() for a, _ in values}
        found.append(FindingSpec(
            rule=Rule.ALL_PASS, key=f"all_pass:{consulting}", province_leaders=True,
            summary=f"{firms[consulting]}服务的{len(clients)}家企业的评估/验收结论全部为通过（合格）",
            details={"企业数": len(clients), "结论数": sum(len(v) for v in clients.values()), "最少企业数": least},
            log_seqs=[e.seq for e in ctx.entries_of(codes, apps)]))
    return found

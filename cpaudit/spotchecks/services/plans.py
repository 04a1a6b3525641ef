"""Check plans and their draw (双随机): made by the province (for the province) or a city-level agency
(for its own counties) — its staff prepare and draw, its leader approves the results (authority.md).

- `plan_save`: a draft plan (scope, shares, strata, inspectors per enterprise, check date); a plan that
  replaces a drawn one says why (`replaces`, `reason`).
- `plan_draw`: once per plan. The eligible lists are fixed and their SM3 digests logged
  (spotchecks.plan.pool_fixed), then a fresh seed from `secrets` draws (draw.py) and seed, rule, pool
  and result are logged (spotchecks.plan.drawn). A drawn plan is never drawn again: a new plan that
  replaces it, with its reason, is the only way (the old one is then superseded, logged).
- `plan_replay` / `plan_verify`: anyone who sees the plan re-runs the stored draw and compares it with
  the row and with the hash-chained log entry.
- `plan_approve`: the planning agency's leader approves the results once every enterprise is recorded.
"""

import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.org.roles import AgencyKind, Role

from .. import draw, selectors
from ..models import Assignment, Item, ItemStatus, Plan, PlanStatus, Stratum

PLAN_FIELDS = ["title", "counties", "industries", "stages", "share_percent", "count", "strata",
               "complaint_enterprises", "per_enterprise", "cross_county", "include_subordinates", "check_date"]
PLANNING_AGENCIES = {Role.PROVINCE_STAFF: {AgencyKind.PROVINCE},
                     Role.CITY_STAFF: {AgencyKind.CITY, AgencyKind.DIRECT_COUNTY}}


def _require_planning_staff(actor, plan: Plan | None, what: str) -> None:
    if is_system(actor):
        raise PermissionDenied(f"{what}须由组织单位经办人员本人操作")
    agency = getattr(actor, "agency", None)
    if agency is None or agency.kind not in PLANNING_AGENCIES.get(actor.role, set()):
        raise PermissionDenied(f"只有省生态环境厅、市级生态环境局的经办人员可以{what}")
    if plan is not None and plan.agency_id != actor.agency_id:
        raise PermissionDenied(f"抽查方案由{plan.agency}制定，您无权{what}")


def _percent(value, field: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = "请填写0至100之间的数字"
        return None
    if not Decimal(0) <= number <= Decimal(100):
        errors[field] = "比例须在0至100之间"
        return None
    return number


def _clean(actor, plan: Plan) -> None:
    errors: dict = {}
    plan.title = (plan.title or "").strip()
    if not plan.title:
        errors["title"] = "请填写方案名称"
    campaign_counties = set(plan.campaign.county_links.values_list("county_id", flat=True))
    jur = jurisdiction_of(actor)
    counties = sorted({str(c) for c in plan.counties or []})
    outside = [c for c in counties if not jur.covers(c) or c not in campaign_counties]
    if not counties:
        errors["counties"] = "请至少选择一个县（市、区）"
    elif outside:
        errors["counties"] = f"县（市、区）{'、'.join(outside)}不在您的辖区或本批次范围内"
    plan.counties = counties
    plan.industries = sorted({str(c).strip().upper() for c in plan.industries or [] if str(c).strip()})
    stages = sorted({int(s) for s in plan.stages or []})
    if any(not 0 <= s <= 7 for s in stages):
        errors["stages"] = "阶段须在0（未开始）至7之间"
    plan.stages = stages
    share = _percent(plan.share_percent, "share_percent", errors)
    if share is not None:
        plan.share_percent = share
    strata = {}
    for key, value in (plan.strata or {}).items():
        if key not in Stratum.values or key == Stratum.GENERAL:
            errors["strata"] = f"未知的重点抽查类别：{key}"
            continue
        number = _percent(value, f"stratum_{key}", errors)
        if number:
            strata[key] = str(number)
    plan.strata = strata
    plan.complaint_enterprises = sorted({int(pk) for pk in plan.complaint_enterprises or []})
    if not 1 <= int(plan.per_enterprise or 0) <= 10:
        errors["per_enterprise"] = "每家企业的检查人员须为1至10名"
    if plan.check_date is None:
        errors["check_date"] = "请填写检查日期"
    elif plan.check_date < clock.today():
        errors["check_date"] = "检查日期不能早于今天"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_save(*, actor, campaign=None, plan: Plan | None = None, data: dict, replaces: Plan | None = None,
              reason: str = "") -> Plan:
    """Create (plan None, with `campaign`) or change a draft plan. `replaces`: the drawn plan this one is
    to replace (a new draw of the same checks), with the reason; it is superseded when this one is drawn."""
    access.check(actor, "spotchecks.plan.change")
    created = plan is None
    if created:
        _require_planning_staff(actor, None, "制定抽查方案")
        plan = Plan(agency=actor.agency, campaign=campaign, created_by=actor, created_at=clock.business_now())
        if replaces is not None:
            replaces = Plan.objects.select_for_update().get(pk=replaces.pk)
            _require_planning_staff(actor, replaces, "重新制定抽查方案")
            if replaces.status != PlanStatus.DRAWN:
                raise InvalidState(f"方案「{replaces}」{replaces.get_status_display()}，只有已抽取、结果未审定的方案可以"
                                   "由新方案取代", code="not_replaceable")
            if Plan.objects.filter(replaces=replaces).exists():
                raise InvalidState(f"方案「{replaces}」已有取代它的新方案", code="already_replaced")
            reason = (reason or "").strip()
            if not reason:
                raise ValidationError({"reason": "重新抽取须制定新方案并说明原因"})
            plan.replaces, plan.reason, plan.campaign = replaces, reason[:300], replaces.campaign
    else:
        plan = Plan.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=plan.pk)
        access.check(actor, "spotchecks.plan.change", plan)
        _require_planning_staff(actor, plan, "修改抽查方案")
        if plan.status != PlanStatus.DRAFT:
            raise InvalidState(f"方案{plan.get_status_display()}，不能修改", code="not_draft")
    before = {} if created else snapshot(plan, PLAN_FIELDS)
    for key, value in data.items():
        if key not in PLAN_FIELDS:
            raise ValueError(f"unknown plan field {key}")
        setattr(plan, key, value.strip() if isinstance(value, str) else value)
    _clean(actor, plan)
    plan.save()
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if created or changes:
        log_action(actor=actor, action="spotchecks.plan.created" if created else "spotchecks.plan.updated",
                   obj=plan, changes=changes,
                   data={"replaces": plan.replaces_id, "reason": plan.reason} if plan.replaces_id else None)
    return plan


def _rule(plan: Plan) -> draw.Rule:
    shares = [(key, str(plan.strata[key])) for key in Stratum.values if key in (plan.strata or {})]
    shares.append((Stratum.GENERAL.value, str(plan.share_percent)))
    return draw.Rule(tuple(shares), count=plan.count, per_enterprise=plan.per_enterprise,
                     cross_county=plan.cross_county)


def build_pool(actor, plan: Plan) -> tuple[draw.Pool, list[dict], list[dict]]:
    """(pool, eligible enrolment rows, exclusions for people) for a draw of `plan` now."""
    from cpaudit.progress.selectors.consistency import flags_for_enrolments

    rows = selectors.eligible_enrolments(actor, plan)
    flagged = set()
    if Stratum.CONSISTENCY in (plan.strata or {}):
        flagged = {pk for pk, flags in flags_for_enrolments([r["pk"] for r in rows]).items() if flags}
    strata = selectors.strata_of(plan, rows, flagged)
    candidates = selectors.inspector_candidates(plan)
    excluded = [{"inspector": c["id"], "enterprise": None, "reason": "利益关系申报缺失或已过期"}
                for c in candidates if not c["declared"]]
    usable = [c for c in candidates if c["declared"]]
    recused = selectors.recusals([c["id"] for c in usable], rows)
    for enterprise_id, reasons in sorted(recused.items()):
        excluded += [{"inspector": pk, "enterprise": enterprise_id, "reason": text} for pk, text in sorted(reasons.items())]
    pool = draw.Pool.build(strata, [c["id"] for c in usable],
                           {r["enterprise_id"]: r["enterprise__county_id"] for r in rows},
                           {c["id"]: c["county"] for c in usable},
                           {e: list(reasons) for e, reasons in recused.items()})
    return pool, rows, excluded


def plan_preview(actor, plan: Plan) -> dict:
    """What a draw now would pick from, for the planners (reads only): per stratum its label, how many
    enterprises are eligible and how many the shares give; and the inspectors available."""
    pool, _, _ = build_pool(actor, plan)
    counts = draw.stratum_counts(_rule(plan), pool)
    rows = [{"label": Stratum(key).label, "eligible": len(pool.strata.get(key, [])), "drawn": counts[key]}
            for key in counts]
    return {"strata": rows, "total": sum(counts.values()), "inspectors": len(pool.inspectors)}


@transaction.atomic
def plan_draw(*, actor, plan: Plan) -> Plan:
    """Draw the plan's enterprises and their inspectors, once; see the module docstring."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("agency", "campaign").get(pk=plan.pk)
    access.check(actor, "spotchecks.plan.change", plan)
    _require_planning_staff(actor, plan, "抽取检查对象和检查人员")
    if plan.status != PlanStatus.DRAFT:
        raise InvalidState("该方案已抽取，抽取结果已确定，不能重新抽取；确需重新抽取的，须制定新的抽查方案并说明原因",
                           code="already_drawn")
    if plan.check_date < clock.today():
        raise InvalidState("检查日期已过，请先修改方案的检查日期", code="check_date_passed")
    require_current_declaration(actor, "抽取检查对象和检查人员")
    replaced = None
    if plan.replaces_id:
        replaced = Plan.objects.select_for_update().get(pk=plan.replaces_id)
        if replaced.status != PlanStatus.DRAWN:
            raise InvalidState(f"被取代的方案「{replaced}」{replaced.get_status_display()}，不能再被取代",
                               code="not_replaceable")
    pool, rows, excluded = build_pool(actor, plan)
    rule = _rule(plan)
    counts = draw.stratum_counts(rule, pool)
    digests = pool.digests()
    # The lists are fixed and their digests in the chain before any seed exists.
    log_action(actor=actor, action="spotchecks.plan.pool_fixed", obj=plan, data={
        "digests": digests, "rule": rule.as_dict(), "enterprises": {k: len(v) for k, v in pool.strata.items()},
        "inspectors": len(pool.inspectors), "counts": counts})
    seed = secrets.token_hex(16)
    try:
        result = draw.select(rule, pool, seed)
    except draw.DrawRefused as exc:
        raise InvalidState(exc.message, code="draw_refused") from exc
    enrolments = {r["enterprise_id"]: r["pk"] for r in rows}
    items = Item.objects.bulk_create([
        Item(plan=plan, enterprise_id=enterprise, enrolment_id=enrolments[enterprise], stratum=key, order=n)
        for n, (key, enterprise, _) in enumerate(result, start=1)])
    Assignment.objects.bulk_create([Assignment(item=item, inspector_id=pk, order=m)
                                    for item, (_, _, team) in zip(items, result, strict=True)
                                    for m, pk in enumerate(team, start=1)])
    plan.rule, plan.pool, plan.digests, plan.seed, plan.excluded = rule.as_dict(), pool.as_dict(), digests, seed, excluded
    plan.drawn_by, plan.drawn_at, plan.status = actor, clock.business_now(), PlanStatus.DRAWN
    plan.save(update_fields=["rule", "pool", "digests", "seed", "excluded", "drawn_by", "drawn_at", "status"])
    log_action(actor=actor, action="spotchecks.plan.drawn", obj=plan, data={
        "rule": rule.as_dict(), "pool": pool.as_dict(), "digests": digests, "seed": seed, "excluded": excluded,
        "result": [[key, enterprise, team] for key, enterprise, team in result], "replaces": plan.replaces_id})
    if replaced is not None:
        replaced.status = PlanStatus.SUPERSEDED
        replaced.save(update_fields=["status"])
        log_action(actor=actor, action="spotchecks.plan.superseded", obj=replaced,
                   changes={"status": [PlanStatus.DRAWN, PlanStatus.SUPERSEDED]},
                   data={"replaced_by": plan.pk, "reason": plan.reason})
    return plan


def drawn_result(plan: Plan) -> list[list]:
    """[[stratum, enterprise id, [inspector ids]]] as stored in the items. Two queries."""
    items = list(plan.items.order_by("order").prefetch_related("assignments"))
    return [[i.stratum, i.enterprise_id, [a.inspector_id for a in sorted(i.assignments.all(), key=lambda a: a.order)]]
            for i in items]


def plan_replay(plan: Plan) -> list[list]:
    """Re-run the stored draw: what the rule, pool and seed yield."""
    result = draw.select(draw.Rule.from_dict(plan.rule), draw.Pool.from_dict(plan.pool), plan.seed)
    return [[key, enterprise, team] for key, enterprise, team in result]


def plan_verify(plan: Plan) -> dict:
    """{ok, checks: [(label, passed)]}: the row agrees with the chained log entries of its draw (the
    digests fixed before the seed, then seed, rule, pool and result), the pool still matches its digests,
    and the replay gives the stored enterprises and inspectors. Reads only."""
    from cpaudit.core.models import ActionLog

    entries = {e.action: e for e in ActionLog.objects.filter(
        object_type="spotchecks.plan", object_id=str(plan.pk),
        action__in=["spotchecks.plan.pool_fixed", "spotchecks.plan.drawn"]).order_by("seq")}
    fixed, drawn = entries.get("spotchecks.plan.pool_fixed"), entries.get("spotchecks.plan.drawn")
    stored = drawn_result(plan)
    checks = [("名单摘要在抽取前已记入日志", fixed is not None and drawn is not None and fixed.seq < drawn.seq
               and fixed.data.get("digests") == plan.digests)]
    logged = drawn.data if drawn is not None else {}
    checks.append(("方案记录与日志一致（种子、规则、名单、结果）",
                   (logged.get("seed"), logged.get("rule"), logged.get("pool"), logged.get("result"))
                   == (plan.seed, plan.rule, plan.pool, stored)))
    try:
        pool = draw.Pool.from_dict(plan.pool)
        checks.append(("名单与SM3摘要一致", pool.digests() == plan.digests))
        replay = plan_replay(plan)
    except (draw.DrawRefused, ValueError, KeyError, TypeError, AttributeError):
        replay = None
        checks.append(("名单与SM3摘要一致", False))
    checks.append(("以记录的种子重新抽取，结果相同", replay == stored))
    return {"ok": all(passed for _, passed in checks), "checks": checks, "replay": replay, "stored": stored}


@transaction.atomic
def plan_approve(*, actor, plan: Plan, note: str = "") -> Plan:
    """The planning agency's leader approves the results: every drawn enterprise recorded; the leader
    free of declared ties with them. The results then go to the public page."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("agency").get(pk=plan.pk)
    access.check(actor, "spotchecks.plan.approve", plan)
    if is_system(actor) or actor.agency_id != plan.agency_id:
        raise PermissionDenied(f"抽查结果由{plan.agency}负责人审定")
    if plan.status != PlanStatus.DRAWN:
        raise InvalidState(f"方案{plan.get_status_display()}，不能审定结果", code="not_drawn")
    require_current_declaration(actor, "审定抽查结果")
    items = list(plan.items.select_related("enrolment"))
    open_items = [i for i in items if i.status != ItemStatus.RECORDED]
    if open_items:
        raise InvalidState(f"还有{len(open_items)}家企业未录入检查结果，不能审定", code="not_recorded")
    rows = [{"enterprise_id": i.enterprise_id, "consulting_agency_id": i.enrolment.consulting_agency_id}
            for i in items]
    related = selectors.recusals([actor.pk], rows)
    if related:
        raise PermissionDenied("您申报了与抽查企业的利益关系，应当回避，请由其他负责人审定")
    plan.status, plan.approved_by, plan.approved_at = PlanStatus.APPROVED, actor, clock.business_now()
    plan.approval_note = (note or "").strip()
    plan.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    log_action(actor=actor, action="spotchecks.plan.approved", obj=plan,
               changes={"status": [PlanStatus.DRAWN, PlanStatus.APPROVED]}, data={"note": plan.approval_note})
    return plan

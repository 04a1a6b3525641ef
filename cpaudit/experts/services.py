"""Business actions on the expert pool, score sheets, panels and scores (issue 5; authority.md § The
application chain, step 5 "Organize").

- The pool is kept by province and city staff (`expert_save`, `expert_set_active`).
- Score sheets live in sheets.py (`scoresheet_for`, `scoresheet_save`; re-exported here).
- The organizer's staff draw the panel (`panel_draw`, draw.py) while the application is 组织评估/验收中,
  record the meeting and the panel's opinion (`panel_meeting_save`); a redraw supersedes the panel
  until the first score is in. Anyone may re-run a stored draw (`panel_replay`, `panel_verify`).
- Each member scores on the sheet (`score_submit`), and may resubmit until the result is proposed.
- The result is derived, never stored here (`panel_outcome`, outcome.py); the chain proposes it.

Each action locks its row, checks the actor (access rule, then the agency / the person), then the
state, saves and writes one log entry in the same transaction. Log codes: experts.expert.created /
.updated / .activated / .deactivated, experts.panel.drawn / .redrawn /
.meeting_saved, experts.score.submitted / .resubmitted.
"""

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.applications.models import Application, Status
from cpaudit.applications.services.basis import require_seen
from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.integrity.conflicts import expert_conflicts, user_conflict
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.org.roles import Role

from . import draw
from .models import Expert, Panel, PanelMember, Score
from .outcome import PanelOutcome, panel_outcome  # noqa: F401  (part of this module's interface)
from .sheets import ONE_DECIMAL, decimal_or_error, scoresheet_for, scoresheet_save  # noqa: F401

register("experts.expert.created", "新增专家")
register("experts.expert.updated", "修改专家信息")
register("experts.expert.activated", "恢复专家可抽取")
register("experts.expert.deactivated", "暂停专家抽取")
register("experts.panel.drawn", "抽取评审专家组")
register("experts.panel.redrawn", "重新抽取评审专家组")
register("experts.panel.meeting_saved", "记录评审会议与专家组意见")
register("experts.score.submitted", "提交专家评分")
register("experts.score.resubmitted", "修改专家评分")

EXPERT_FIELDS = ["name", "employer", "title", "phone", "environment", "energy", "industry", "active", "user"]
MEETING_FIELDS = ["meeting_date", "meeting_place", "opinion"]


# --- the pool --------------------------------------------------------------------------------------

def _expert_snapshot(expert) -> dict:
    data = snapshot(expert, [f for f in EXPERT_FIELDS if f != "user"])
    data["user"] = expert.user_id
    data["industries"] = sorted(expert.industries.values_list("code", flat=True)) if expert.pk else []
    return data


@transaction.atomic
def expert_save(*, actor, expert: Expert | None = None, data: dict, industries=None) -> Expert:
    """Create (expert None) or change an expert of the pool. `data` holds model fields (the login as
    `user` or `user_id`: an account of role 专家 not linked to another expert); `industries` the
    industries (or codes) the expert knows, None to leave them."""
    access.check(actor, "experts.expert.change", expert)
    created = expert is None
    expert = Expert() if created else Expert.objects.select_for_update().get(pk=expert.pk)
    before = {} if created else _expert_snapshot(expert)
    for key, value in data.items():
        if key not in EXPERT_FIELDS and key != "user_id":
            raise ValueError(f"unknown expert field {key}")
        setattr(expert, key, value.strip() if isinstance(value, str) else value)
    errors = {}
    if expert.user_id is not None:
        account = User.objects.filter(pk=expert.user_id).first()
        if account is None or account.role != Role.EXPERT:
            errors["user"] = "登录账号须为“专家”角色的账号"
        elif Expert.objects.filter(user_id=expert.user_id).exclude(pk=expert.pk).exists():
            errors["user"] = "该账号已关联其他专家"
    if not (expert.environment or expert.energy or expert.industry):
        errors["environment"] = "请至少选择一个专业（环境、节能、行业）"
    try:
        expert.full_clean(exclude=["industries"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    expert.save()
    if industries is not None:
        expert.industries.set(industries)
    changes = diff(before, _expert_snapshot(expert))
    if changes:
        log_action(actor=actor, action="experts.expert.created" if created else "experts.expert.updated",
                   obj=expert, changes=changes)
    return expert


@transaction.atomic
def expert_set_active(*, actor, expert: Expert, active: bool) -> Expert:
    """An inactive expert stays in the pool (and on past panels) but is not drawn."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    access.check(actor, "experts.expert.change", expert)
    if expert.active == bool(active):
        raise InvalidState("专家已是可抽取状态" if active else "专家已暂停抽取", code="unchanged")
    expert.active = bool(active)
    expert.save(update_fields=["active"])
    log_action(actor=actor, action="experts.expert.activated" if active else "experts.expert.deactivated",
               obj=expert, changes={"active": [not expert.active, expert.active]})
    return expert


# --- panels ----------------------------------------------------------------------------------------

def _lock_application(application) -> Application:
    return (Application.objects.select_for_update(of=("self",))
            .select_related("campaign", "organizer", "enrolment__enterprise", "enrolment__consulting_agency")
            .get(pk=application.pk))


def _require_organizer(actor, application, what: str) -> None:
    """The organizer's staff, as the chain's table says (a paper organizer's review is not drawn here)."""
    from cpaudit.applications import transitions
    from cpaudit.applications.services import chain_route

    if is_system(actor):
        raise PermissionDenied(f"{what}须由组织单位经办人员本人操作")
    if application.organizer_id is None:
        raise PermissionDenied(f"组织单位尚未确定，不能{what}")
    route = chain_route(application)
    if route.is_paper(transitions.ORGANIZER):
        raise InvalidState(f"组织单位{application.organizer}以纸质方式办理，评估/验收结论据来文录入，不在平台抽取专家",
                           code="paper_level")
    transitions.require_owner(actor, Status.ORGANIZING, route, what)


def _require_organizing(application, what: str) -> None:
    if application.status != Status.ORGANIZING:
        raise InvalidState(f"申请{application.get_status_display()}，不能{what}（只有组织评估/验收中的申请可以）",
                           code="not_organizing")


def _require_not_conflicted(actor, application) -> None:
    recusal = user_conflict(actor, *_parties(application))
    if recusal:
        raise PermissionDenied(f"您申报了与该企业或其咨询机构的利益关系，应当回避：{recusal}")


def _parties(application) -> tuple[int, int | None]:
    return application.enrolment.enterprise_id, application.enrolment.consulting_agency_id


def current_panel(application) -> Panel | None:
    return Panel.objects.filter(application=application, is_current=True).first()


def stored_pool(panel) -> draw.Pool:
    pools = panel.eligible_pools or {}
    return draw.Pool.build(panel.eligible_ids, pools.get("environment", ()), pools.get("industry", ()))


def _rule(campaign, size, min_environment, min_industry) -> draw.Rule:
    rule = draw.Rule(
        size=campaign.panel_size if size is None else int(size),
        min_environment=campaign.panel_min_environment if min_environment is None else int(min_environment),
        min_industry=campaign.panel_min_industry if min_industry is None else int(min_industry))
    errors = {}
    if not 1 <= rule.size <= 15:
        errors["size"] = "专家组人数须在1至15人之间"
    if rule.min_environment < 0 or rule.min_industry < 0:
        errors["min_environment"] = "专业人数不能为负数"
    elif rule.min_environment + rule.min_industry > rule.size:
        errors["min_industry"] = "环境、行业专业专家的最少人数之和不能超过专家组人数"
    if errors:
        raise ValidationError(errors)
    return rule


@transaction.atomic
def panel_draw(*, actor, application, size=None, min_environment=None, min_industry=None,
               reason: str = "", seen: str | None = None) -> Panel:
    """Draw the application's expert panel at random from the eligible experts (active, not
    conflicted); size and minimums default to the campaign's. A redraw supersedes the current panel
    (the old one stays as history) until a member has scored. `seen`: the current panel the page
    showed (its id, "" for none); a panel drawn by someone else since is refused as such, before any
    other check (else the loser of two simultaneous first draws was told a redraw needs a reason).
    None: a caller without a page (the demo, tests) draws on what is current."""
    application = _lock_application(application)
    access.check(actor, "experts.panel.draw", application)
    _require_organizer(actor, application, "抽取专家组")
    _require_organizing(application, "抽取专家组")
    require_current_declaration(actor, "抽取专家组")
    enterprise_id, agency_id = _parties(application)
    _require_not_conflicted(actor, application)
    previous = Panel.objects.select_for_update().filter(application=application, is_current=True).first()
    if seen is not None and seen != (str(previous.pk) if previous else ""):
        raise InvalidState("专家组已由他人抽取（页面打开后有新的抽取结果），请刷新页面查看；如确需重新抽取，须填写原因",
                           code="stale")
    reason = (reason or "").strip()
    rule = _rule(application.campaign, size, min_environment, min_industry)
    campaign_rule = _rule(application.campaign, None, None, None)
    # A redraw, or a rule other than the campaign's, must say why: the reason is kept on the panel and
    # shown with the draw history, so "drawing until the panel suits" leaves a visible trail. A redraw
    # after scores were given (a member recused or could not attend) leaves those scores with the old
    # panel, which stays as history.
    if previous is not None and not reason:
        raise InvalidState("重新抽取须填写原因（如：专家因故不能参会、专家申报回避）", code="reason_required")
    if rule != campaign_rule and not reason:
        raise InvalidState(f"抽取规则与本批次设定（{campaign_rule.size}人，环境专业至少{campaign_rule.min_environment}人，"
                           f"行业专业至少{campaign_rule.min_industry}人）不同，须填写原因", code="reason_required")
    sheet = scoresheet_for(application.campaign, application.kind)
    conflicts = expert_conflicts(enterprise_id, agency_id)
    active = list(Expert.objects.filter(active=True).order_by("pk").values_list("pk", "environment", "industry"))
    eligible = [row for row in active if row[0] not in conflicts]
    pool = draw.Pool.build([r[0] for r in eligible], [r[0] for r in eligible if r[1]], [r[0] for r in eligible if r[2]])
    excluded = [{"id": pk, "reason": conflicts[pk]} for pk, _, _ in active if pk in conflicts]
    seed = secrets.token_hex(16)
    try:
        drawn = draw.select(rule, pool, seed)
    except draw.NotEnoughExperts as exc:
        raise InvalidState(f"{exc.message}（已排除需回避的专家{len(excluded)}名），请扩充专家库或调整抽取规则",
                           code="not_enough_experts") from exc
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    panel = Panel.objects.create(
        application=application, is_current=True, sheet=sheet, rule=rule.as_dict(), seed=seed,
        eligible_ids=list(pool.eligible),
        eligible_pools={"environment": list(pool.environment), "industry": list(pool.industry)},
        eligible_digest=pool.digest(), excluded=excluded, drawn_by=actor, drawn_at=clock.business_now(),
        reason=reason[:200])
    PanelMember.objects.bulk_create([PanelMember(panel=panel, expert_id=pk, order=n, is_leader=n == 1)
                                     for n, pk in enumerate(drawn, start=1)])
    log_action(actor=actor, action="experts.panel.redrawn" if previous else "experts.panel.drawn", obj=panel, data={
        "application": application.pk, "rule": rule.as_dict(), "seed": seed,
        "eligible_ids": list(pool.eligible), "eligible_pools": panel.eligible_pools,
        "eligible_digest": panel.eligible_digest, "excluded": excluded, "members": drawn, "leader": drawn[0],
        "superseded_panel": previous.pk if previous else None, "reason": reason,
    })
    return panel


def panel_replay(panel) -> list[int]:
    """Re-run the stored draw: the member ids (leader first) that the rule, seed and eligible list yield."""
    return draw.select(draw.Rule.from_dict(panel.rule), stored_pool(panel), panel.seed)


def panel_verify(panel) -> bool:
    """True when the panel row agrees with the hash-chained log entry of its draw (seed, rule, eligible
    list and digest, members), the eligible list still matches its digest, and the replay gives the
    members. Editing the row, even with a recomputed digest, no longer matches the log."""
    from cpaudit.core.models import ActionLog

    members = list(panel.members.order_by("order").values_list("expert_id", flat=True))
    entry = (ActionLog.objects.filter(action__in=["experts.panel.drawn", "experts.panel.redrawn"],
                                      object_type="experts.panel", object_id=str(panel.pk)).order_by("seq").first())
    if entry is None:
        return False
    logged = entry.data
    if (logged.get("seed"), logged.get("rule"), logged.get("eligible_ids"), logged.get("eligible_digest"),
            logged.get("members")) != (panel.seed, panel.rule, panel.eligible_ids, panel.eligible_digest, members):
        return False
    if stored_pool(panel).digest() != panel.eligible_digest:
        return False
    try:
        return panel_replay(panel) == members
    except (draw.NotEnoughExperts, ValueError, KeyError, TypeError):
        return False


@transaction.atomic
def panel_meeting_save(*, actor, panel, meeting_date, meeting_place: str, opinion: str) -> Panel:
    """The organizer records the review meeting and the panel's opinion (专家组意见)."""
    # The application first, then the panel: the same order as panel_draw (no deadlock between them).
    application = _lock_application(Application(pk=panel.application_id))
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    access.check(actor, "experts.panel.draw", application)
    _require_organizer(actor, application, "记录评审会议")
    _require_organizing(application, "记录评审会议")
    _require_not_conflicted(actor, application)
    if not panel.is_current:
        raise InvalidState("该专家组已被重新抽取的专家组取代", code="superseded")
    before = snapshot(panel, MEETING_FIELDS)
    panel.meeting_date = meeting_date
    panel.meeting_place = (meeting_place or "").strip()
    panel.opinion = (opinion or "").strip()
    if meeting_date is None:
        raise ValidationError({"meeting_date": "请填写评审日期"})
    if not panel.meeting_place:
        raise ValidationError({"meeting_place": "请填写评审地点"})
    if len(panel.meeting_place) > 200:
        raise ValidationError({"meeting_place": "评审地点不超过200字"})
    changes = diff(before, snapshot(panel, MEETING_FIELDS))
    if changes:
        panel.save(update_fields=MEETING_FIELDS)
        log_action(actor=actor, action="experts.panel.meeting_saved", obj=panel, changes=changes)
    return panel


# --- scores ----------------------------------------------------------------------------------------

def _clean_points(sheet, points: dict, vetoes) -> tuple[dict, list[int], Decimal]:
    items = list(sheet.items.all().order_by("order"))
    scored = {i.pk: i for i in items if not i.is_veto}
    veto_ids = {i.pk for i in items if i.is_veto}
    given = {}
    for key, value in (points or {}).items():
        try:
            given[int(key)] = value
        except (TypeError, ValueError):
            raise ValidationError({"points": f"评分项“{key}”不在评分表中"}) from None
    errors: dict = {}
    clean = {}
    unknown = set(given) - set(scored)
    if unknown:
        errors.setdefault("points", []).append("有评分项不在本评分表中（否决项不打分）")
    for pk, item in scored.items():
        field = f"item_{pk}"
        if given.get(pk) in (None, ""):
            errors.setdefault(field, []).append("请为此项打分")
            continue
        value = decimal_or_error(given[pk], field, errors)
        if value is None:
            continue
        if value < 0 or value > item.max_points:
            errors.setdefault(field, []).append(f"得分须在0至{item.max_points}分之间")
        clean[str(pk)] = value
    try:
        ticked = sorted({int(v) for v in (vetoes or [])})
    except (TypeError, ValueError):
        ticked = [-1]
    if set(ticked) - veto_ids:
        errors.setdefault("vetoes", []).append("所选否决项不在本评分表中")
    if errors:
        raise ValidationError(errors)
    total = sum(clean.values(), Decimal(0)).quantize(ONE_DECIMAL)
    return {k: str(v.quantize(ONE_DECIMAL)) for k, v in clean.items()}, ticked, total


@transaction.atomic
def score_submit(*, actor, member, points: dict, vetoes: list, opinion: str = "", seen: str | None = None) -> Score:
    """The member's expert scores: every scored item 0…max (veto items are ticked, not scored). A
    resubmission replaces the score while the application is still being organized. `seen`: the token
    the scoring page showed (the version, its files and the figures); a stale one is refused."""
    member = PanelMember.objects.select_for_update(of=("self",)).select_related("panel", "expert").get(pk=member.pk)
    access.check(actor, "experts.score.submit", member)
    if is_system(actor) or member.expert.user_id != actor.pk:
        raise PermissionDenied("只能由专家本人提交自己的评分")
    require_current_declaration(actor, "专家评分")
    panel = member.panel
    application = _lock_application(panel.application)
    if not panel.is_current:
        raise InvalidState("该专家组已被重新抽取的专家组取代，不能评分", code="superseded")
    _require_organizing(application, "评分")
    recusal = expert_conflicts(*_parties(application)).get(member.expert_id)
    if recusal:
        raise PermissionDenied(f"您与该企业或其咨询机构存在利益关系，应当回避：{recusal}")
    relied = require_seen(application, seen)
    clean, ticked, total = _clean_points(panel.sheet, points, vetoes)
    opinion = (opinion or "").strip()
    existing = Score.objects.select_for_update().filter(member=member).first()
    now = clock.business_now()
    if existing is None:
        score = Score.objects.create(member=member, points=clean, vetoes=ticked, total=total, opinion=opinion,
                                     submitted_at=now)
        log_action(actor=actor, action="experts.score.submitted", obj=score, data={
            "panel": panel.pk, "application": application.pk, "points": clean, "vetoes": ticked, "total": total,
            "opinion": opinion, "basis": relied})
        return score
    fields = ["points", "vetoes", "total", "opinion"]
    before = snapshot(existing, fields)
    existing.points, existing.vetoes, existing.total, existing.opinion = clean, ticked, total, opinion
    existing.submitted_at = now
    existing.save()
    log_action(actor=actor, action="experts.score.resubmitted", obj=existing,
               changes=diff(before, snapshot(existing, fields)),
               data={"panel": panel.pk, "application": application.pk, "basis": relied})
    return existing

"""The intervention register (干预登记): business actions.

- Anyone logged in records an attempt to influence a decision (`intervention_record`): the kind
  (打招呼、请托、吃拿卡要…), when, who, what, the enterprise and application concerned if any, and the
  platform account of the person it names if they have one. Who supervises that person is fixed at
  that moment (supervision.supervision_of) and told.
- 立即整改: a leader of the supervising level names an owner, a deadline and what is required
  (`intervention_follow_up`, again to reassign); the owner (or those leaders) records the outcome,
  which closes it (`intervention_close`). Overdue = still being rectified after the deadline.

Every log entry carries `named_user`, so the log pages can keep an entry from the person it names.
Log codes: integrity.intervention.recorded / .follow_up_set / .closed.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.org.roles import GOVERNMENT_ROLES, LEADER_ROLES

from .models import Intervention, InterventionKind, InterventionState
from .supervision import supervision_of

register("integrity.intervention.recorded", "登记干预审核行为")
register("integrity.intervention.follow_up_set", "部署干预登记的整改")
register("integrity.intervention.closed", "办结干预登记的整改")

OBJECT_TYPE = "integrity.intervention"


def _data(item: Intervention, **extra) -> dict:
    return {"named_user": item.named_user_id, **extra}


def _notify(users, item: Intervention, text: str) -> None:
    from cpaudit.reports.models import Notification

    link = reverse("integrity:intervention_detail", args=[item.pk])
    for user in users:
        if user.pk != item.named_user_id:
            Notification.objects.get_or_create(user=user, key=f"intervention:{item.pk}:{item.state}:{user.pk}",
                                               defaults={"text": text[:300], "link": link})


def _leaders(item: Intervention):
    if item.supervising_agency_id is None:
        return User.objects.none()
    return User.objects.filter(agency_id=item.supervising_agency_id, role__in=sorted(LEADER_ROLES), is_active=True)


@transaction.atomic
def intervention_record(*, actor, kind: str, occurred_on: dt.date | None, intervener: str, content: str,
                        enterprise=None, application=None, named_user=None) -> Intervention:
    access.check(actor, "integrity.intervention.record")
    if is_system(actor):
        raise PermissionDenied("干预登记须由本人登记")
    intervener, content = (intervener or "").strip(), (content or "").strip()
    errors = {}
    if kind not in InterventionKind.values:
        errors["kind"] = "请选择干预行为的类型"
    if occurred_on is None:
        errors["occurred_on"] = "请填写发生日期"
    elif occurred_on > clock.today():
        errors["occurred_on"] = "发生日期不能晚于今天"
    if not intervener:
        errors["intervener"] = "请填写干预人（姓名、单位及职务）"
    elif len(intervener) > 100:
        errors["intervener"] = "干预人不超过100字"
    if not content:
        errors["content"] = "请写明干预的内容（说了什么、要求什么）"
    if named_user is not None and named_user.pk == actor.pk:
        errors["named_user"] = "不能登记反映本人的干预行为；如需说明本人情况，请向上级单位报告"
    if application is not None and enterprise is not None and application.enrolment.enterprise_id != enterprise.pk:
        errors["application"] = "所选申请不属于所填企业"
    if errors:
        raise ValidationError(errors)
    if application is not None and enterprise is None:
        enterprise = application.enrolment.enterprise
    supervision = supervision_of(named_user, enterprise=enterprise, fallback_agency=getattr(actor, "agency", None))
    item = Intervention.objects.create(
        kind=kind, occurred_on=occurred_on, intervener=intervener, content=content, enterprise=enterprise,
        application=application, named_user=named_user, supervising_agency=supervision.agency,
        leaders_only=supervision.leaders_only, recorded_by=actor, recorded_at=clock.server_now())
    log_action(actor=actor, action="integrity.intervention.recorded", obj=item, data=_data(
        item, kind=kind, occurred_on=occurred_on, intervener=intervener, content=content,
        enterprise=enterprise.pk if enterprise else None, application=application.pk if application else None,
        supervising_agency=str(supervision.agency) if supervision.agency else None,
        leaders_only=supervision.leaders_only))
    _notify(_leaders(item), item, f"收到一条干预登记（{item.get_kind_display()}），请部署整改")
    return item


def _lock(item) -> Intervention:
    return (Intervention.objects.select_for_update(of=("self",)).select_related("supervising_agency", "named_user")
            .get(pk=item.pk))


def _require_supervising_leader(actor, item: Intervention, what: str) -> None:
    if is_system(actor) or item.supervising_agency_id is None or actor.agency_id != item.supervising_agency_id \
            or actor.role not in LEADER_ROLES or actor.pk == item.named_user_id:
        raise PermissionDenied(f"只有{item.supervising_agency or '监督单位'}的负责人可以{what}")


def _clean_owner(owner, item: Intervention) -> str | None:
    if owner is None:
        return "请选择整改责任人"
    agencies = {item.supervising_agency_id, getattr(item.named_user, "agency_id", None)} - {None}
    if owner.pk == item.named_user_id:
        return "被反映人不能担任整改责任人"
    if owner.role not in GOVERNMENT_ROLES or owner.agency_id not in agencies or not owner.is_active:
        return "整改责任人须为监督单位或被反映人所在单位的在职工作人员"
    return None


@transaction.atomic
def intervention_follow_up(*, actor, item: Intervention, owner, deadline: dt.date | None,
                           requirement: str) -> Intervention:
    """立即整改: name (or rename) the owner, the deadline and what is required."""
    access.check(actor, "integrity.intervention.follow_up")
    item = _lock(item)
    _require_supervising_leader(actor, item, "部署整改")
    if item.state == InterventionState.CLOSED:
        raise InvalidState("该干预登记已办结，不能再部署整改", code="closed")
    requirement = (requirement or "").strip()
    errors = {}
    problem = _clean_owner(owner, item)
    if problem:
        errors["owner"] = problem
    if deadline is None:
        errors["deadline"] = "请填写整改期限"
    elif deadline < clock.today():
        errors["deadline"] = "整改期限不能早于今天"
    if not requirement:
        errors["requirement"] = "请写明整改要求"
    if errors:
        raise ValidationError(errors)
    before = {"state": item.state, "owner": item.owner_id, "deadline": item.deadline, "requirement": item.requirement}
    item.state, item.owner, item.deadline, item.requirement = InterventionState.RECTIFYING, owner, deadline, requirement
    item.assigned_by, item.assigned_at = actor, clock.server_now()
    item.save()
    after = {"state": item.state, "owner": item.owner_id, "deadline": item.deadline, "requirement": item.requirement}
    log_action(actor=actor, action="integrity.intervention.follow_up_set", obj=item,
               changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
               data=_data(item, owner_name=str(owner)))
    _notify([owner], item, f"您被指定为干预登记第{item.pk}号的整改责任人，期限{deadline:%Y年%m月%d日}")
    return item


@transaction.atomic
def intervention_close(*, actor, item: Intervention, outcome: str) -> Intervention:
    """The owner (or a leader of the supervising level) records the outcome: the entry is closed."""
    access.check(actor, "integrity.intervention.follow_up")
    item = _lock(item)
    if item.state != InterventionState.RECTIFYING:
        raise InvalidState(f"该干预登记{item.get_state_display()}，只有整改中的登记可以办结", code="not_rectifying")
    if getattr(actor, "pk", None) != item.owner_id:
        _require_supervising_leader(actor, item, "办结整改")
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": "请写明整改结果"})
    item.state, item.outcome, item.closed_by, item.closed_at = (InterventionState.CLOSED, outcome, actor,
                                                                clock.server_now())
    item.save(update_fields=["state", "outcome", "closed_by", "closed_at"])
    late = item.deadline is not None and clock.today() > item.deadline
    log_action(actor=actor, action="integrity.intervention.closed", obj=item,
               changes={"state": [InterventionState.RECTIFYING, InterventionState.CLOSED]},
               data=_data(item, outcome=outcome, overdue=late))
    _notify(_leaders(item), item, f"干预登记第{item.pk}号已办结整改")
    return item

"""Declarations of interest (利益关系申报): submitting a new version.

A person declares for themselves (a government user its own record; an expert user the record of its
expert in the pool); the pool's keepers (rule experts.expert.change) record an expert's declaration
for them, e.g. from the paper form. Each submission is a whole new version n+1 (the previous one stays,
no longer current): conflicts are judged on the current version only. An empty list of ties is a
valid declaration: 无利益关系.

Log code: integrity.declaration.submitted (data: whose, version, the ties).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.registry.models import ConsultingAgency, Enterprise

from .models import Declaration, Tie, TieKind

register("integrity.declaration.submitted", "填报利益关系申报")

NO_TIES = "无利益关系"


def _subject(actor, expert, user):
    """(expert, user) whose declaration this is, after checking the actor may declare it."""
    from cpaudit.experts.models import Expert

    if expert is not None and user is not None:
        raise ValueError("declare for an expert or for a user, not both")
    if expert is None and user is None:
        if getattr(actor, "role", None) == Role.EXPERT:
            expert = Expert.objects.filter(user_id=actor.pk).first()
            if expert is None:
                raise InvalidState("您的账号尚未关联专家库中的专家，请联系专家库管理部门", code="no_expert")
        else:
            user = actor
    if user is not None:
        access.check(actor, "integrity.declaration.submit")
        if getattr(actor, "pk", None) != user.pk:
            raise PermissionDenied("利益关系申报须由本人填报")
        return None, User.objects.select_for_update().get(pk=user.pk)
    locked = Expert.objects.select_for_update().get(pk=expert.pk)
    if locked.user_id is not None and locked.user_id == getattr(actor, "pk", None):
        access.check(actor, "integrity.declaration.submit")
    else:
        access.check(actor, "experts.expert.change", locked)
    return locked, None


def _clean_ties(ties: list[dict]) -> list[Tie]:
    """Tie rows (unsaved) from [{kind, enterprise_id | consulting_agency_id, detail}]; Chinese errors."""
    errors, rows = [], []
    enterprise_ids = {t.get("enterprise_id") for t in ties if t.get("enterprise_id")}
    agency_ids = {t.get("consulting_agency_id") for t in ties if t.get("consulting_agency_id")}
    known_enterprises = set(Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", flat=True))
    known_agencies = set(ConsultingAgency.objects.filter(pk__in=agency_ids).values_list("pk", flat=True))
    seen = set()
    for n, tie in enumerate(ties, start=1):
        kind, detail = tie.get("kind"), (tie.get("detail") or "").strip()
        enterprise_id, agency_id = tie.get("enterprise_id"), tie.get("consulting_agency_id")
        if kind not in TieKind.values:
            errors.append(f"第{n}项：请选择关系类型")
            continue
        if bool(enterprise_id) == bool(agency_id):
            errors.append(f"第{n}项：请填写一家企业或一家咨询机构")
            continue
        if enterprise_id and enterprise_id not in known_enterprises or agency_id and agency_id not in known_agencies:
            errors.append(f"第{n}项：企业或咨询机构不存在")
            continue
        if len(detail) > 200:
            errors.append(f"第{n}项：具体情况不超过200字")
            continue
        key = (kind, enterprise_id, agency_id)
        if key in seen:
            errors.append(f"第{n}项与前面的申报重复")
            continue
        seen.add(key)
        rows.append(Tie(kind=kind, enterprise_id=enterprise_id or None, consulting_agency_id=agency_id or None,
                        detail=detail))
    if errors:
        raise ValidationError({"ties": errors})
    return rows


@transaction.atomic
def declaration_submit(*, actor, expert=None, user=None, ties: list[dict], note: str = "") -> Declaration:
    expert, user = _subject(actor, expert, user)
    rows = _clean_ties(list(ties or []))
    note = (note or "").strip()
    subject = {"expert": expert} if expert is not None else {"user": user}
    previous = Declaration.objects.select_for_update().filter(**subject).order_by("-version").first()
    if previous is not None:
        # Before the insert: one current declaration per person is a database constraint.
        Declaration.objects.filter(**subject, is_current=True).update(is_current=False)
    declaration = Declaration.objects.create(
        **subject, version=(previous.version + 1) if previous else 1, is_current=True, note=note,
        declared_by=None if getattr(actor, "is_system", False) else actor, declared_at=clock.server_now())
    for row in rows:
        row.declaration = declaration
    Tie.objects.bulk_create(rows)
    log_action(actor=actor, action="integrity.declaration.submitted", obj=declaration, data={
        "subject": f"expert:{expert.pk}" if expert is not None else f"user:{user.pk}",
        "version": declaration.version,
        "previous_version": previous.version if previous else None,
        "note": note,
        "ties": [{"kind": r.kind, "enterprise_id": r.enterprise_id, "consulting_agency_id": r.consulting_agency_id,
                  "detail": r.detail} for r in rows] or NO_TIES,
    })
    if expert is not None and expert.user_id and expert.user_id != getattr(actor, "pk", None):
        # Someone else changed what decides the expert's recusal: the expert is told, and can check it.
        from cpaudit.reports.models import Notification

        Notification.objects.create(user_id=expert.user_id, text=f"{getattr(actor, 'full_name', '') or actor}"
                                    f"更新了您的利益关系申报（第{declaration.version}版），请核对",
                                    link=reverse("integrity:my_declaration"))
    return declaration


def current_declaration(*, expert=None, user=None) -> Declaration | None:
    subject = {"expert": expert} if expert is not None else {"user": user}
    return (Declaration.objects.filter(**subject, is_current=True)
            .prefetch_related("ties__enterprise", "ties__consulting_agency").first())

"""Decisions bound to exactly what the decider saw (issue: 廉政风险防控, 事中有控).

A decision rests on the submitted version (frozen, with its attachments) and on records outside it:
the enrolment's evidence files, its options with their figures, its baseline and after-implementation
figures. `basis` takes the SM3 of each; a page shows `seen_token` (the version and the basis) in its
form, and the service refuses a decision whose token no longer matches ("…已更新，请刷新后再审"), so
nobody approves a version or figures they never saw. The decision stores the basis it relied on.

When the basis changes later (`basis_changed`, called by the services that change evidence, options
or figures, in their own transaction): before the final result the decisions of the current round that
relied on the old basis are void and the application goes back to the branch, which must look again
(the transition table's void rows); after the final result nothing is voided silently: a Correction
is opened for the organizer to review, shown beside the result.

Log codes: applications.application.decisions_voided, applications.correction.opened,
applications.correction.reviewed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.chain import document_digest, jsonable
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access

from .. import transitions
from ..models import FINAL, IN_CHAIN, Application, Correction, Decision, Status
from .common import agency_users, announce, chain_route, latest_version, lock, notify

register("applications.application.decisions_voided", "审核依据变更，原审核意见作废")
register("applications.correction.opened", "结论后审核依据变更，待组织单位核查")
register("applications.correction.reviewed", "核查结论后的审核依据变更")

STALE = "已更新，请刷新后再审"
# Fields that are bookkeeping, not content: a re-save that changes only these changes no basis.
_SKIP = {"id", "enrolment", "enrolment_id", "created_at", "updated_at", "recorded_by", "recorded_by_id", "flags"}


def _rows(qs) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in _SKIP} for row in qs]


def basis(enrolment_id) -> dict:
    """SM3 of each kind of record the decisions rely on (four queries)."""
    return bases([enrolment_id])[enrolment_id]


def bases(enrolment_ids) -> dict[int, dict]:
    """`basis` of many enrolments in the same four queries (the batch page shows many)."""
    from cpaudit.progress.models import Evidence, Figures, Option, ProductOutput

    ids = list(enrolment_ids)
    evidence, options, figures, products = ({pk: [] for pk in ids} for _ in range(4))
    for enrolment, step, digest in (Evidence.objects.filter(record__enrolment_id__in=ids, is_current=True)
                                    .order_by("record__step_id", "digest")
                                    .values_list("record__enrolment_id", "record__step_id", "digest")):
        evidence[enrolment].append([step, digest])
    for row in Option.objects.filter(enrolment_id__in=ids).order_by("pk").values():
        options[row["enrolment_id"]].append(row)
    for row in Figures.objects.filter(enrolment_id__in=ids).order_by("kind", "year", "pk").values():
        figures[row["enrolment_id"]].append(row)
    for row in (ProductOutput.objects.filter(figures__enrolment_id__in=ids).order_by("figures_id", "pk")
                .values_list("figures__enrolment_id", "figures_id", "name", "unit", "quantity")):
        products[row[0]].append(list(row[1:]))
    return {pk: {"evidence": document_digest(evidence[pk]), "options": document_digest(jsonable(_rows(options[pk]))),
                 "figures": document_digest(jsonable({"figures": _rows(figures[pk]), "products": products[pk]}))}
            for pk in ids}


LABELS = {"evidence": "佐证材料", "options": "清洁生产方案", "figures": "审核基准与实施后数据"}


def seen_token(application, extra: str = "") -> str:
    """What a page shows a decider, in one string: the version and its digest (0 and none before the
    first submission), the basis, and (for a result) what the result stands on."""
    return seen_tokens([application])[application.pk] + (f":{extra}" if extra else "")


def seen_tokens(applications) -> dict[int, str]:
    """`seen_token` of many applications (without extra) in five queries."""
    from ..models import ApplicationVersion

    apps = list(applications)
    latest = {}
    for version in ApplicationVersion.objects.filter(application__in=apps).order_by("application_id", "number"):
        latest[version.application_id] = version
    basis_of = bases({a.enrolment_id for a in apps})
    tokens = {}
    for a in apps:
        version = latest.get(a.pk)
        number, digest = (version.number, version.digest[:16]) if version is not None else (0, "")
        tokens[a.pk] = f"{number}:{digest}:{document_digest(basis_of[a.enrolment_id])[:16]}"
    return tokens


def require_seen(application, seen: str | None, extra: str = "") -> dict:
    """Refuse a decision taken on a page that showed something else; the basis to record otherwise.
    `seen=None`: a caller without a page (the demo loader, a test) binds to what is current."""
    current = basis(application.enrolment_id)
    if seen is None:
        return current
    version = latest_version(application)
    if not seen:
        raise InvalidState(f"页面已过期：申请{STALE}", code="stale")
    parts = seen.split(":")
    number, digest = (version.number, version.digest[:16]) if version is not None else (0, "")
    if parts[0] != str(number) or parts[1:2] != [digest]:
        raise InvalidState(f"申请表{STALE}（现为第{number}版）", code="stale")
    if parts[2:3] != [document_digest(current)[:16]]:
        raise InvalidState(f"企业的佐证材料或方案、审核数据{STALE}", code="stale")
    if (parts[3] if len(parts) > 3 else "") != extra:
        raise InvalidState(f"审核情况{STALE}", code="stale")
    return current


def _changed(before: dict, after: dict) -> str:
    return "、".join(LABELS[k] for k in LABELS if before.get(k) != after.get(k))


def basis_changed(*, actor, enrolment_id, cause: str) -> None:
    """Called inside the transaction that changed evidence, options or figures of `enrolment_id`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("basis_changed must run inside the changing action's transaction")
    ids = list(Application.objects.filter(enrolment_id=enrolment_id)
               .filter(status__in=[*IN_CHAIN, *FINAL]).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    current = basis(enrolment_id)
    for pk in ids:
        application = lock(Application(pk=pk))
        if application.status in FINAL:
            _open_correction(actor, application, current, cause)
        else:
            _void(actor, application, current, cause)


def _void(actor, application, current: dict, cause: str) -> None:
    version = latest_version(application)
    decisions = list(Decision.objects.select_for_update().filter(application=application, version=version,
                                                                 voided_at__isnull=True).order_by("pk"))
    stale = [d for d in decisions if d.basis and d.basis != current]
    if not stale:
        return
    route = chain_route(application)
    row = transitions.find(application.status, route, "void")
    changed = _changed(stale[0].basis, current)
    reason = f"{cause}（{changed}已变更）"[:300]
    now = clock.server_now()
    for decision in stale:
        decision.voided_at, decision.void_reason = now, reason
        decision.save(update_fields=["voided_at", "void_reason"])
    before, after = transitions.apply(application, row)
    application.branch_batch = application.city_batch = None
    application.save(update_fields=["status", "branch_batch", "city_batch", "updated_at"])
    _retire_panel(application)
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
               data={"reason": reason, "voided": [d.pk for d in stale], "basis": current})
    announce(application, row, route)


def _retire_panel(application) -> None:
    """Experts scored on the old basis: their panel is history; the organizer draws again."""
    from cpaudit.experts.models import Panel

    Panel.objects.filter(application=application, is_current=True).update(is_current=False)


def _open_correction(actor, application, current: dict, cause: str) -> None:
    final = (Decision.objects.filter(application=application, voided_at__isnull=True)
             .exclude(basis={}).order_by("-decided_at", "-pk").first())
    if final is None or final.basis == current:
        return
    if application.corrections.filter(state=Correction.State.OPEN, basis_after=current).exists():
        return
    correction = Correction.objects.create(
        application=application, cause=f"{cause}（{_changed(final.basis, current)}已变更）"[:300],
        basis_before=final.basis, basis_after=current, opened_by=None if getattr(actor, "is_system", False)
        else actor, opened_at=clock.server_now())
    log_action(actor=actor, action="applications.correction.opened", obj=application,
               data={"correction": correction.pk, "cause": correction.cause, "result": application.result_label})
    if application.organizer is not None:
        from cpaudit.org.roles import LEADER_ROLES, STAFF_ROLES

        notify(agency_users(application.organizer, STAFF_ROLES | LEADER_ROLES), application,
               f"{application.enrolment.enterprise}的{application.get_kind_display()}结论后审核依据有变更，请核查：{correction.cause}",
               f"app:{application.pk}:correction:{correction.pk}")


@transaction.atomic
def correction_review(*, actor, correction: Correction, note: str) -> Correction:
    """The organizer's staff or leader says what the change means for the published result."""
    correction = Correction.objects.select_for_update().select_related("application").get(pk=correction.pk)
    application = correction.application
    access.check(actor, "applications.correction.review", application)
    if application.organizer_id is None or getattr(actor, "agency_id", None) != application.organizer_id:
        raise PermissionDenied(f"只有组织单位（{application.organizer}）可以核查")
    require_current_declaration(actor, "核查结论后的变更")
    if correction.state != Correction.State.OPEN:
        raise InvalidState("该变更已核查", code="already_reviewed")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写核查意见（变更是否影响结论）"})
    correction.state, correction.review_note = Correction.State.REVIEWED, note
    correction.reviewed_by, correction.reviewed_at = actor, clock.server_now()
    correction.save(update_fields=["state", "review_note", "reviewed_by", "reviewed_at"])
    log_action(actor=actor, action="applications.correction.reviewed", obj=application,
               changes={"state": [Correction.State.OPEN, Correction.State.REVIEWED]},
               data={"correction": correction.pk, "note": note})
    return correction


def result_extra(application) -> str:
    """For a result proposal: the panel's scores; for a confirmation: the proposal it confirms."""
    from cpaudit.experts.models import Score

    if application.status == Status.ORGANIZING:
        scores = list(Score.objects.filter(member__panel__application=application, member__panel__is_current=True)
                      .order_by("pk").values_list("pk", "submitted_at"))
        return document_digest([[pk, str(at)] for pk, at in scores])[:12]
    if application.status == Status.RESULT_PENDING:
        proposal = (Decision.objects.filter(application=application, step="result_proposal", voided_at__isnull=True)
                    .order_by("-decided_at", "-pk").values_list("pk", flat=True).first())
        return f"p{proposal}"
    return ""

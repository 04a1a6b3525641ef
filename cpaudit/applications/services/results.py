"""The organizer's end of the chain: its staff propose the result from the panel's scores, its leader
confirms it (or sends it back to the staff). 评估 通过/不通过, 验收 合格/不合格. A failed 评估 means the
audit is redone: step 27 (the report sent to 评估) is reopened in the same transaction.

Log codes: applications.application.result_proposal, .result_confirmation, .result_sent_back.
"""

from __future__ import annotations

from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.progress.models import ReviewStatus, StepRecord, StepStatus
from cpaudit.progress.services.derived import completed_deliverables_after
from cpaudit.progress.steps import EVALUATION_STEP, step

from .. import transitions
from ..models import RESULT_LABELS, Application, Decision, Kind, Outcome, Status, Step
from .basis import require_seen, result_extra
from .common import (
    announce,
    chain_route,
    decide,
    last_decision,
    lock,
    require_not_related,
    require_other_person,
)

register("applications.application.result_proposal", "提出评估/验收结论")
register("applications.application.result_confirmation", "确认评估/验收结论")
register("applications.application.result_sent_back", "退回评估/验收结论重新组织")

REOPEN_REASON = "清洁生产审核评估未通过，重新开展审核"


@transaction.atomic
def application_result_propose(*, actor, application: Application, opinion: str = "",
                               seen: str | None = None) -> Decision:
    """Organizer staff: the panel's derived result (every member scored) becomes the proposal."""
    from cpaudit.experts.services import panel_outcome

    application = lock(application)
    access.check(actor, "applications.application.organize", application)
    route = chain_route(application)
    row = _online_row(application, route, "result_proposal", "")
    transitions.require_owner(actor, application.status, route, "提出评估/验收结论")
    require_current_declaration(actor, "提出评估/验收结论")
    require_not_related(actor, application, "提出评估/验收结论")
    relied = require_seen(application, seen, result_extra(application))
    outcome = panel_outcome(application)
    if outcome is None or outcome.passed is None:
        raise InvalidState("专家组尚未抽取或专家尚未全部提交评分，不能提出结论", code="not_scored")
    opinion = (opinion or "").strip() or (outcome.opinion or "").strip()
    if not opinion:
        raise InvalidState("请填写专家组意见", code="opinion_required")
    checks = {"passed": outcome.passed, "average": str(outcome.average), "vetoed": outcome.vetoed}
    decision = decide(application, actor=actor, step=Step.RESULT_PROPOSAL, outcome=Outcome.AGREE,
                      opinion=opinion, checks=checks, basis=relied)
    before, after = transitions.apply(application, row)
    application.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
               data={**checks, "result": RESULT_LABELS[application.kind][outcome.passed], "opinion": opinion})
    announce(application, row, route, decision)
    return decision


@transaction.atomic
def application_result_confirm(*, actor, application: Application, outcome: str, opinion: str = "",
                               seen: str | None = None) -> Decision:
    """The organizer's leader confirms the proposed result, or sends it back to the staff with a reason."""
    application = lock(application)
    access.check(actor, "applications.application.confirm_result", application)
    route = chain_route(application)
    if outcome not in Outcome.values:
        raise InvalidState("请选择“确认”或“退回”", code="wrong_outcome")
    proposal = last_decision(application, Step.RESULT_PROPOSAL)
    passed = bool(proposal and proposal.checks.get("passed"))
    wanted = Outcome.RETURN if outcome == Outcome.RETURN else (transitions.PASS if passed else transitions.FAIL)
    row = _online_row(application, route, "result_confirmation", wanted)
    transitions.require_owner(actor, application.status, route, "确认评估/验收结论")
    require_current_declaration(actor, "确认评估/验收结论")
    require_not_related(actor, application, "确认评估/验收结论")
    require_other_person(actor, proposal, "确认结论")
    relied = require_seen(application, seen, result_extra(application))
    opinion = (opinion or "").strip()
    if outcome == Outcome.RETURN and not opinion:
        raise InvalidState("退回须填写原因", code="reason_required")
    decision = decide(application, actor=actor, step=Step.RESULT_CONFIRMATION, outcome=outcome,
                      opinion=opinion or "确认", checks={} if outcome == Outcome.RETURN else {"passed": passed},
                      basis=relied)
    before, after = transitions.apply(application, row)
    fields = ["status", "updated_at"]
    data = {"reason": opinion} if outcome == Outcome.RETURN else {}
    if row.target in (Status.PASSED, Status.FAILED):
        reopened = finish(application, passed=passed, opinion=proposal.opinion, day=clock.today())
        fields += ["passed", "result_date", "result_opinion"]
        data = {"result": RESULT_LABELS[application.kind][passed], "result_date": application.result_date,
                "reopened_steps": reopened}
    application.save(update_fields=fields)
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]}, data=data)
    announce(application, row, route, decision)
    return decision


def _online_row(application, route, action: str, outcome: str):
    row = transitions.find(application.status, route, action, outcome)
    if row.paper:
        raise InvalidState(f"组织单位{route.organizer}以纸质方式办理，请录入其来文", code="paper_level")
    return row


def finish(application, *, passed: bool, opinion: str, day) -> list[int]:
    """Write the result on the application (the caller saves it); a failed 评估 reopens the audit."""
    application.passed, application.result_date, application.result_opinion = passed, day, opinion
    if application.kind == Kind.EVALUATION and not passed:
        return _reopen_audit(application)
    return []


def _reopen_audit(application) -> list[int]:
    """A failed 评估: the report sent to 评估 (step 27) is reopened, so the enterprise redoes the audit
    from there and applies again once it is completed. A later deliverable already completed (step 35)
    stands on it and is reopened with it (the progress rules: a deliverable needs every earlier stage)."""
    records = list(StepRecord.objects.select_for_update().filter(enrolment_id=application.enrolment_id))
    stage = step(EVALUATION_STEP).stage
    numbers = {EVALUATION_STEP, *completed_deliverables_after(records, stage)}
    reopened = []
    for record in sorted(records, key=lambda r: r.step_id):
        if record.step_id not in numbers or record.status == StepStatus.NOT_STARTED:
            continue
        record.status, record.completion_date = StepStatus.IN_PROGRESS, None
        record.review, record.review_reason = ReviewStatus.NONE, REOPEN_REASON
        record.save(update_fields=["status", "completion_date", "review", "review_reason"])
        reopened.append(record.step_id)
    return reopened

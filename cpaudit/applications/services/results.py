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
from cpaudit.org import access
from cpaudit.org.roles import Role
from cpaudit.progress.models import ReviewStatus, StepRecord, StepStatus
from cpaudit.progress.services.derived import completed_deliverables_after
from cpaudit.progress.steps import EVALUATION_STEP, step

from ..models import RESULT_LABELS, Application, Decision, Kind, Outcome, Status, Step
from .common import (
    agency_users,
    decide,
    enterprise_users,
    last_decision,
    lock,
    notify,
    require_agency,
    require_not_related,
    require_other_person,
    require_state,
)

register("applications.application.result_proposal", "提出评估/验收结论")
register("applications.application.result_confirmation", "确认评估/验收结论")
register("applications.application.result_sent_back", "退回评估/验收结论重新组织")

REOPEN_REASON = "清洁生产审核评估未通过，重新开展审核"


@transaction.atomic
def application_result_propose(*, actor, application: Application, opinion: str = "") -> Decision:
    """Organizer staff: the panel's derived result (every member scored) becomes the proposal."""
    from cpaudit.experts.services import panel_outcome

    application = lock(application)
    access.check(actor, "applications.application.organize", application)
    require_state(application, Status.ORGANIZING, what="提出结论")
    require_agency(actor, application.organizer, "提出评估/验收结论")
    require_not_related(actor, application, "提出评估/验收结论")
    outcome = panel_outcome(application)
    if outcome is None or outcome.passed is None:
        raise InvalidState("专家组尚未抽取或专家尚未全部提交评分，不能提出结论", code="not_scored")
    opinion = (opinion or "").strip() or (outcome.opinion or "").strip()
    if not opinion:
        raise InvalidState("请填写专家组意见", code="opinion_required")
    checks = {"passed": outcome.passed, "average": str(outcome.average), "vetoed": outcome.vetoed}
    decision = decide(application, actor=actor, step=Step.RESULT_PROPOSAL, outcome=Outcome.AGREE,
                      opinion=opinion, checks=checks)
    application.status = Status.RESULT_PENDING
    application.save(update_fields=["status", "updated_at"])
    log_action(actor=actor, action="applications.application.result_proposal", obj=application,
               changes={"status": [Status.ORGANIZING, Status.RESULT_PENDING]},
               data={**checks, "result": RESULT_LABELS[application.kind][outcome.passed], "opinion": opinion})
    leaders = [Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_LEADER]
    notify(agency_users(application.organizer, leaders), application,
           f"{application.enrolment.enterprise}的{application.get_kind_display()}结论待确认",
           f"app:{application.pk}:proposal:{decision.pk}")
    return decision


@transaction.atomic
def application_result_confirm(*, actor, application: Application, outcome: str, opinion: str = "") -> Decision:
    """The organizer's leader confirms the proposed result, or sends it back to the staff with a reason."""
    application = lock(application)
    access.check(actor, "applications.application.confirm_result", application)
    require_state(application, Status.RESULT_PENDING, what="确认结论")
    require_agency(actor, application.organizer, "确认评估/验收结论")
    require_not_related(actor, application, "确认评估/验收结论")
    proposal = last_decision(application, Step.RESULT_PROPOSAL)
    require_other_person(actor, proposal, "确认结论")
    opinion = (opinion or "").strip()
    if outcome == Outcome.RETURN:
        if not opinion:
            raise InvalidState("退回须填写原因", code="reason_required")
        decision = decide(application, actor=actor, step=Step.RESULT_CONFIRMATION, outcome=outcome, opinion=opinion)
        application.status = Status.ORGANIZING
        application.save(update_fields=["status", "updated_at"])
        log_action(actor=actor, action="applications.application.result_sent_back", obj=application,
                   changes={"status": [Status.RESULT_PENDING, Status.ORGANIZING]}, data={"reason": opinion})
        return decision
    if outcome != Outcome.AGREE:
        raise InvalidState("请选择“确认”或“退回”", code="wrong_outcome")
    passed = bool(proposal.checks.get("passed"))
    decision = decide(application, actor=actor, step=Step.RESULT_CONFIRMATION, outcome=outcome,
                      opinion=opinion or "确认", checks={"passed": passed})
    application.status = Status.PASSED if passed else Status.FAILED
    application.passed, application.result_date = passed, clock.today()
    application.result_opinion = proposal.opinion
    application.save(update_fields=["status", "passed", "result_date", "result_opinion", "updated_at"])
    reopened = _reopen_audit(application) if application.kind == Kind.EVALUATION and not passed else []
    label = RESULT_LABELS[application.kind][passed]
    log_action(actor=actor, action="applications.application.result_confirmation", obj=application,
               changes={"status": [Status.RESULT_PENDING, application.status]},
               data={"result": label, "result_date": application.result_date, "reopened_steps": reopened})
    notify(enterprise_users(application), application,
           f"您的清洁生产审核{application.get_kind_display()}结论：{label}", f"app:{application.pk}:result")
    return decision


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

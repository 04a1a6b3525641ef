"""The reviews and approvals between submission and the organizer (authority.md § The application
chain), modelled as data: `STEPS` says, for each step, in which state it is taken, by which role of
which agency on the route, and where an agreement leads. A return at any step sends the application
back to the enterprise with the reason and the returning level; a resubmission starts again at the
branch. Each decision is a Decision row bound to the version it decided on, and one log entry
(applications.application.<step>, with the outcome).

Guards, in order: the row is locked; the role may take the step (access); the application is in the
step's state (a second person deciding the same application is told it was already handled); the
actor belongs to the agency whose turn it is; the actor declared no tie with the enterprise or its
consulting agency; who wrote the opinion does not approve it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.roles import AgencyKind, Role

from ..formspec import REVIEW_CHECKS
from ..models import Application, Decision, Level, Outcome, Status, Step
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
    route,
)


@dataclass(frozen=True)
class StepSpec:
    state: str  # the state the step is taken in
    rule: str  # the access rule
    agency: str  # whose turn: "branch" | "city" | "province" on the route
    level: str  # the returning level, when it returns
    agree_to: str  # the next state on agreement
    reviews: str | None = None  # the step whose author may not approve (separation of duties)
    opinion_required: bool = False  # the opinion prints in a block of the form
    default_opinion: str = ""
    label: str = ""


STEPS: dict[str, StepSpec] = {
    Step.BRANCH_REVIEW: StepSpec(Status.BRANCH_REVIEW, "applications.application.branch_review", "branch",
                                 Level.BRANCH, Status.BRANCH_APPROVAL, default_opinion="同意上报",
                                 label="填写分局审核意见"),
    Step.BRANCH_APPROVAL: StepSpec(Status.BRANCH_APPROVAL, "applications.application.branch_approve", "branch",
                                   Level.BRANCH, Status.BRANCH_BATCH, reviews=Step.BRANCH_REVIEW,
                                   label="审批同意上报"),
    Step.CITY_REVIEW: StepSpec(Status.CITY_REVIEW, "applications.application.city_review", "city", Level.CITY,
                               Status.CITY_APPROVAL, opinion_required=True, label="填写初审意见"),
    Step.CITY_APPROVAL: StepSpec(Status.CITY_APPROVAL, "applications.application.city_approve", "city", Level.CITY,
                                 Status.CITY_BATCH, reviews=Step.CITY_REVIEW, label="审批初审意见"),
    Step.PROVINCE_REVIEW: StepSpec(Status.PROVINCE_REVIEW, "applications.application.province_review", "province",
                                   Level.PROVINCE, Status.PROVINCE_APPROVAL, opinion_required=True,
                                   label="填写省厅审批意见"),
    Step.PROVINCE_APPROVAL: StepSpec(Status.PROVINCE_APPROVAL, "applications.application.province_approve",
                                     "province", Level.PROVINCE, Status.ORGANIZING, reviews=Step.PROVINCE_REVIEW,
                                     label="审批省厅意见"),
}
# Which step is taken in which state (the page offers the step of the current state).
STEP_OF_STATE = {spec.state: step for step, spec in STEPS.items()}

for _step, _spec in STEPS.items():
    register(f"applications.application.{_step}", Step(_step).label)

NEXT_ROLES = {  # who is told that it is their turn
    Status.BRANCH_APPROVAL: [Role.BRANCH_LEADER], Status.BRANCH_BATCH: [Role.BRANCH_LEADER],
    Status.CITY_REVIEW: [Role.CITY_STAFF], Status.CITY_APPROVAL: [Role.CITY_LEADER],
    Status.CITY_BATCH: [Role.CITY_LEADER], Status.PROVINCE_APPROVAL: [Role.PROVINCE_LEADER],
    Status.ORGANIZING: [Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF],
}


def _clean_checks(kind: str, checks: dict | None) -> dict:
    checks = checks or {}
    result = {}
    for key, label in REVIEW_CHECKS[kind]:
        value = checks.get(key)
        if value not in (True, False):
            raise InvalidState(f"请选择“{label}”", code="checks_required")
        result[key] = value
    return result


@transaction.atomic
def application_decide(*, actor, application: Application, step: str, outcome: str, opinion: str = "",
                       checks: dict | None = None) -> Decision:
    """Take one step of the chain: agree (the application moves on) or return (back to the enterprise)."""
    spec = STEPS.get(step)
    if spec is None:
        raise InvalidState(f"未知的审核环节“{step}”", code="wrong_step")
    application = lock(application)
    access.check(actor, spec.rule, application)
    require_state(application, spec.state, what=spec.label)
    agencies = route(application)
    agency = agencies[spec.agency]
    require_agency(actor, agency, spec.label)
    require_not_related(actor, application, spec.label)
    if spec.reviews:
        require_other_person(actor, last_decision(application, spec.reviews), spec.label)
    if outcome not in Outcome.values:
        raise InvalidState("请选择“同意”或“退回”", code="wrong_outcome")
    opinion = (opinion or "").strip()
    checked = {}
    if step == Step.BRANCH_REVIEW:
        # Agreeing needs both checks answered; a return keeps whatever the reviewer ticked.
        checked = _clean_checks(application.kind, checks) if outcome == Outcome.AGREE else \
            {k: v for k, v in (checks or {}).items() if v in (True, False)}
    if outcome == Outcome.RETURN:
        if not opinion:
            raise InvalidState("退回须填写原因", code="reason_required")
    else:
        if spec.opinion_required and not opinion:
            raise InvalidState("请填写意见（将打印在申请表相应栏目中）", code="opinion_required")
        if checked and not all(checked.values()):
            raise InvalidState("资料不齐全或情况不属实的申请应退回企业，不能同意上报", code="checks_failed")
        opinion = opinion or spec.default_opinion
    decision = decide(application, actor=actor, step=step, outcome=outcome, opinion=opinion, checks=checked)
    before = application.status
    if outcome == Outcome.RETURN:
        application.status = Status.RETURNED
        application.return_reason, application.returned_level = opinion, spec.level
        application.branch_batch = application.city_batch = None
    else:
        application.status = spec.agree_to
        if step == Step.BRANCH_APPROVAL and agency.kind == AgencyKind.DIRECT_COUNTY:
            # A 省直管县 is its own city level: no letter to itself, its city-level staff review next.
            application.status = Status.CITY_REVIEW
    application.save(update_fields=["status", "return_reason", "returned_level", "branch_batch", "city_batch",
                                    "updated_at"])
    log_action(actor=actor, action=f"applications.application.{step}", obj=application,
               changes={"status": [before, application.status]},
               data={"outcome": outcome, "opinion": opinion, "checks": checked,
                     "version": decision.version.number, "digest": decision.version.digest})
    _tell_next(application, agencies, decision)
    return decision


def _tell_next(application, agencies, decision) -> None:
    kind = application.get_kind_display()
    name = application.enrolment.enterprise
    if application.status == Status.RETURNED:
        notify(enterprise_users(application), application,
               f"您的{kind}申请被{decision.agency}退回：{decision.opinion}", f"app:{application.pk}:ret:{decision.pk}")
        return
    roles = NEXT_ROLES.get(application.status)
    if not roles:
        return
    if application.status == Status.ORGANIZING:
        target = application.organizer
    elif application.status in (Status.BRANCH_APPROVAL, Status.BRANCH_BATCH):
        target = agencies["branch"]
    elif application.status in (Status.CITY_REVIEW, Status.CITY_APPROVAL, Status.CITY_BATCH):
        target = agencies["city"]
    else:
        target = agencies["province"]
    notify(agency_users(target, roles), application,
           f"{name}的{kind}申请：{application.get_status_display()}", f"app:{application.pk}:{decision.pk}")
    if application.status == Status.ORGANIZING and application.organizer_level == Level.PROVINCE:
        # 省管: the province organizes, the city assists (seed § 二).
        notify(agency_users(agencies["city"], [Role.CITY_STAFF]), application,
               f"{name}为省管企业，其{kind}由省厅组织，请市局协助", f"app:{application.pk}:assist")

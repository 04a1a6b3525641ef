"""The reviews and approvals between submission and the organizer, and the paper replies transcribed
for a level that does not work in the platform. Which step is taken in which state, by whom, and
where it leads is the table in transitions.py; this module takes one row of it.

Guards, in order: the row is locked; the role may take the step (access); the table has the step in
the current state (a second person deciding the same application is told it was already handled);
the actor is the one whose turn it is (agency and desk); the actor declared no tie with the
enterprise or its consulting agency; who wrote the opinion does not approve it. Each decision is a
Decision row bound to the version it decided on, and one log entry (the row's log code, with the
outcome).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock, storedfiles
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access

from .. import transitions
from ..formspec import REVIEW_CHECKS
from ..models import Attachment, Decision, Level, Outcome, Status, Step
from ..transitions import DECIDE, RECORD
from .basis import require_seen
from .common import (
    announce,
    chain_route,
    decide,
    last_decision,
    lock,
    require_not_related,
    require_other_person,
)

# The access rule of each review or approval (the role check; transitions says whose turn).
RULES = {
    Step.BRANCH_REVIEW: "applications.application.branch_review",
    Step.BRANCH_APPROVAL: "applications.application.branch_approve",
    Step.CITY_REVIEW: "applications.application.city_review",
    Step.CITY_APPROVAL: "applications.application.city_approve",
    Step.PROVINCE_REVIEW: "applications.application.province_review",
    Step.PROVINCE_APPROVAL: "applications.application.province_approve",
}
# The approval steps and the review whose author may not take them (separation of duties).
REVIEWED_BY = {Step.BRANCH_APPROVAL: Step.BRANCH_REVIEW, Step.CITY_APPROVAL: Step.CITY_REVIEW,
               Step.PROVINCE_APPROVAL: Step.PROVINCE_REVIEW}
# Reviews whose opinion prints in a block of the form (required when agreeing).
OPINION_REQUIRED = {Step.CITY_REVIEW, Step.PROVINCE_REVIEW}
DEFAULT_OPINION = {Step.BRANCH_REVIEW: "同意上报"}

for _row in transitions.TRANSITIONS:
    if _row.page == DECIDE:
        register(_row.log, Step(_row.step).label)
    elif _row.page == RECORD:
        register(_row.log, _row.label)


def rule_of(step: str) -> str:
    return RULES[step]


def _clean_checks(kind: str, checks: dict | None) -> dict:
    checks = checks or {}
    result = {}
    for key, label in REVIEW_CHECKS[kind]:
        value = checks.get(key)
        if value not in (True, False):
            raise InvalidState(f"请选择“{label}”", code="checks_required")
        result[key] = value
    return result


def _returned(application, row, opinion: str) -> None:
    """Back to the enterprise with the reason and the returning level; this round's batches are history."""
    application.return_reason, application.returned_level = opinion, row.party
    application.branch_batch = application.city_batch = None


@transaction.atomic
def application_decide(*, actor, application, step: str, outcome: str, opinion: str = "",
                       checks: dict | None = None, seen: str | None = None) -> Decision:
    """Take one review or approval: agree (the application moves on) or return (back to the enterprise).
    `seen`: the token the page showed (basis.seen_token); a stale one is refused."""
    if step not in RULES:
        raise InvalidState(f"未知的审核环节“{step}”", code="wrong_step")
    application = lock(application)
    access.check(actor, RULES[step], application)
    if outcome not in Outcome.values:
        raise InvalidState("请选择“同意”或“退回”", code="wrong_outcome")
    route = chain_route(application)
    row = transitions.find(application.status, route, step, outcome)
    if row.paper:
        raise InvalidState(f"{route.agency_of(row.party)}以纸质方式办理，请录入其来文", code="paper_level")
    transitions.require_owner(actor, application.status, route, row.label)
    require_current_declaration(actor, row.label)
    require_not_related(actor, application, row.label)
    if step in REVIEWED_BY:
        require_other_person(actor, last_decision(application, REVIEWED_BY[step]), row.label)
    relied = require_seen(application, seen)
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
        if step in OPINION_REQUIRED and not opinion:
            raise InvalidState("请填写意见（将打印在申请表相应栏目中）", code="opinion_required")
        if checked and not all(checked.values()):
            raise InvalidState("资料不齐全或情况不属实的申请应退回企业，不能同意上报", code="checks_failed")
        opinion = opinion or DEFAULT_OPINION.get(step, "")
    decision = decide(application, actor=actor, step=step, outcome=outcome, opinion=opinion, checks=checked,
                      basis=relied)
    before, after = transitions.apply(application, row)
    if row.target == Status.RETURNED:
        _returned(application, row, opinion)
    application.save(update_fields=["status", "return_reason", "returned_level", "branch_batch", "city_batch",
                                    "updated_at"])
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
               data={"outcome": outcome, "opinion": opinion, "checks": checked,
                     "version": decision.version.number, "digest": decision.version.digest})
    announce(application, row, route, decision)
    return decision


# --- paper replies ---------------------------------------------------------------------------------

def application_record_reply(*, actor, application, outcome: str, opinion: str, signer: str,
                             source_date: dt.date | None, source_number: str = "", scan=None,
                             organizer_level: str = "", seen: str | None = None) -> Decision:
    """The recorder transcribes the reply of a level that decides on paper (据来文录入): who signed it,
    its date and 文号, the opinion as written, and a scan of it (PDF or image). `outcome` is agree or
    return for a city's or the province's reply, passed or failed for a result. For a 市管 enterprise
    whose city replies on paper, `organizer_level` records who the reply names to organize the review
    (the city itself, or the branch)."""
    access.check(actor, "applications.application.record_reply", application)
    if scan is None:
        raise ValidationError({"scan": "请上传来文扫描件（PDF或图片）"})
    spooled = storedfiles.receive(scan, kinds=(storedfiles.FileKind.PDF, storedfiles.FileKind.IMAGE), field="scan")
    try:
        return _record_reply(actor, application, outcome, opinion, signer, source_date, source_number, spooled,
                             organizer_level, seen)
    finally:
        spooled.path.unlink(missing_ok=True)  # moved into the store on success


@transaction.atomic
def _record_reply(actor, application, outcome, opinion, signer, source_date, source_number, spooled,
                  organizer_level, seen) -> Decision:
    application = lock(application)
    route = chain_route(application)
    rows = [r for r in transitions.rows_in(application.status, route) if r.paper]
    if not rows:
        raise InvalidState(f"该申请当前为“{application.get_status_display()}”，没有需要录入的来文"
                           "（可能已由他人处理，请刷新页面）", code="wrong_state")
    row = transitions.find(application.status, route, rows[0].action, outcome)
    what = row.label
    transitions.require_owner(actor, application.status, route, what)
    require_current_declaration(actor, what)  # the recorder's own declarations apply
    require_not_related(actor, application, what)
    relied = require_seen(application, seen)
    opinion, signer, source_number = (opinion or "").strip(), (signer or "").strip(), (source_number or "").strip()
    errors = {}
    if not opinion:
        errors["opinion"] = "请按来文原文录入意见"
    if not signer:
        errors["signer"] = "请填写来文的签发人（审批人员）"
    if source_date is None:
        errors["source_date"] = "请填写来文日期"
    elif source_date > clock.today():
        errors["source_date"] = "来文日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    organizer_change = _named_organizer(application, route, row, organizer_level)
    replying = route.agency_of(row.party)
    scan = Attachment.objects.create(
        application=application, purpose=Attachment.Purpose.REPLY_SCAN, digest=spooled.digest,
        original_name=spooled.name, file_kind=spooled.kind, content_type=spooled.content_type, size=spooled.size,
        uploaded_by=actor, uploaded_at=clock.server_now())
    checks = {"passed": row.outcome == transitions.PASS} if row.outcome in (transitions.PASS, transitions.FAIL) else {}
    decision = decide(application, actor=actor, step=row.step, outcome=Outcome.RETURN
                      if row.outcome == Outcome.RETURN else Outcome.AGREE, opinion=opinion, checks=checks,
                      signer=signer, agency=replying, transcribed=True, source_date=source_date,
                      source_number=source_number, scan=scan, basis=relied)
    before, after = transitions.apply(application, row)
    fields = ["status", "updated_at"]
    if row.target == Status.RETURNED:
        _returned(application, row, opinion)
        fields += ["return_reason", "returned_level", "branch_batch", "city_batch"]
    if organizer_change:
        application.organizer_level, application.organizer = organizer_change
        fields += ["organizer_level", "organizer"]
    reopened = []
    if row.target in (Status.PASSED, Status.FAILED):
        from .results import finish

        reopened = finish(application, passed=row.target == Status.PASSED, opinion=opinion, day=source_date)
        fields += ["passed", "result_date", "result_opinion"]
    application.save(update_fields=fields)
    log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
               data={"outcome": row.outcome, "opinion": opinion, "signer": signer, "agency": str(replying),
                     "source_number": source_number, "source_date": source_date, "scan": spooled.digest,
                     "version": decision.version.number, "digest": decision.version.digest,
                     "organizer": str(application.organizer) if organizer_change else None,
                     "reopened_steps": reopened})
    storedfiles.store(spooled.path, spooled.digest)
    # The route may have changed its organizer: whose turn it is next follows the new one.
    announce(application, row, chain_route(application, route.agencies), decision)
    return decision


def _named_organizer(application, route, row, organizer_level: str):
    """A 市管 review when the city replies on paper: organized by whoever its reply names."""
    if row.action != "city_reply" or row.outcome != Outcome.AGREE or route.organizer_level != Level.CITY:
        if organizer_level and organizer_level != route.organizer_level:
            raise ValidationError({"organizer_level": "只有市管企业的市局来文可以指定组织单位"})
        return None
    if organizer_level not in (Level.CITY, Level.BRANCH):
        raise ValidationError({"organizer_level": "请按来文选择组织评估/验收的单位（市局或分局）"})
    if organizer_level == route.organizer_level:
        return None
    return organizer_level, route.agencies[organizer_level]

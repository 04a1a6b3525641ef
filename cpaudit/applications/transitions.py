"""The application chain as one table (authority.md § The application chain).

Every move of `Application.status` is a row of `TRANSITIONS`: the state it leaves, the action and
outcome, whose turn it is (a party on the application's route and the desk there), the state it
enters, who is told, the log code and the label a page shows. Services find their row with `find`
(which refuses anything not in the table) and move the application with `apply` (the one place that
assigns the status); selectors and views ask `owner` whose turn a state is. Nothing else knows the
order of the chain.

Parties, resolved per application (`Route`):
  enterprise                the enterprise's own users
  branch / city / province  the agency of that level on the route (services.common.route)
  organizer                 the agency organizing the review (by management level)
Desks: staff (经办), leader (负责人), enterprise (企业用户).

Paper levels: a city-level agency or the province may record its decisions on paper (PaperAgency).
It then takes no action here: its rows are replaced by `paper` rows, taken by the recorder — the staff
of the nearest level below it on the route that works in the platform — who transcribes the reply
received (who signed, date, 文号, the opinion as written, a scan). A paper reply carries the level's
approval, so its review and approval states collapse into one recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.org.roles import Role

from .models import Level, Outcome, Status, Step

ENTERPRISE, BRANCH, CITY, PROVINCE, ORGANIZER = "enterprise", "branch", "city", "province", "organizer"
STAFF, LEADER = "staff", "leader"
PASS, FAIL = "passed", "failed"  # the outcomes of a result confirmation

# What a page offers for a row (views render one form per kind).
EDIT, DECIDE, BATCH, PROPOSE, CONFIRM, RECORD = "edit", "decide", "batch", "propose", "confirm", "record"


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    outcome: str  # Outcome.AGREE / RETURN, PASS / FAIL, or "" (one way forward)
    party: str
    desk: str
    target: str
    log: str
    label: str
    page: str
    step: str = ""  # the Decision.step recorded (the form's opinion blocks read it)
    paper: bool = False  # taken by the party's recorder, from its paper reply
    when: str = ""  # "direct" / "not_direct": only when the branch is (not) a 省直管县
    notify: tuple[str, ...] = ("owner",)  # "owner" of the target state, "enterprise", "assist"
    system: bool = False  # taken by the platform itself (no owner): see VOID below
    aside: bool = False  # not the state's turn: taken beside it by another party (WITHDRAW below)


def _decision(source, action, party, desk, agree_to, step, label, *, paper=False, when="", log=None):
    """A review or approval: agree moves on, return sends the application back to the enterprise."""
    log = log or f"applications.application.{action}"
    rows = [Transition(source, action, Outcome.AGREE, party, desk, agree_to, log, label, RECORD if paper else DECIDE,
                       step, paper, when)]
    if when != "direct":  # the 定州 variant shares its return with the ordinary row
        rows.append(Transition(source, action, Outcome.RETURN, party, desk, Status.RETURNED, log, label,
                               RECORD if paper else DECIDE, step, paper, notify=("enterprise",)))
    return rows


def _result(source, action, party, desk, step, label, *, paper=False, log):
    page = RECORD if paper else CONFIRM
    return [Transition(source, action, PASS, party, desk, Status.PASSED, log, label, page, step, paper,
                       notify=("enterprise",)),
            Transition(source, action, FAIL, party, desk, Status.FAILED, log, label, page, step, paper,
                       notify=("enterprise",))]


APP = "applications.application"
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, "submit", "", ENTERPRISE, ENTERPRISE, Status.BRANCH_REVIEW, f"{APP}.submitted",
               "填写并提交申请表", EDIT),
    Transition(Status.RETURNED, "submit", "", ENTERPRISE, ENTERPRISE, Status.BRANCH_REVIEW, f"{APP}.resubmitted",
               "按退回意见修改申请表后重新提交", EDIT),
    *_decision(Status.BRANCH_REVIEW, "branch_review", BRANCH, STAFF, Status.BRANCH_APPROVAL, Step.BRANCH_REVIEW,
               "填写分局审核意见"),
    *_decision(Status.BRANCH_APPROVAL, "branch_approval", BRANCH, LEADER, Status.BRANCH_BATCH,
               Step.BRANCH_APPROVAL, "审批同意上报", when="not_direct"),
    # A 省直管县 is its own city level: no letter to itself, its city-level staff review next.
    *_decision(Status.BRANCH_APPROVAL, "branch_approval", BRANCH, LEADER, Status.CITY_REVIEW,
               Step.BRANCH_APPROVAL, "审批同意上报", when="direct"),
    Transition(Status.BRANCH_BATCH, "branch_batch", "", BRANCH, LEADER, Status.CITY_REVIEW, f"{APP}.forwarded",
               "随书面申请报送市局", BATCH),
    *_decision(Status.CITY_REVIEW, "city_review", CITY, STAFF, Status.CITY_APPROVAL, Step.CITY_REVIEW,
               "填写初审意见"),
    *_decision(Status.CITY_APPROVAL, "city_approval", CITY, LEADER, Status.CITY_BATCH, Step.CITY_APPROVAL,
               "审批初审意见"),
    Transition(Status.CITY_BATCH, "city_batch", "", CITY, LEADER, Status.PROVINCE_REVIEW, f"{APP}.forwarded",
               "随书面申请报送省厅", BATCH),
    *_decision(Status.PROVINCE_REVIEW, "province_review", PROVINCE, STAFF, Status.PROVINCE_APPROVAL,
               Step.PROVINCE_REVIEW, "填写省厅审批意见"),
    *_decision(Status.PROVINCE_APPROVAL, "province_approval", PROVINCE, LEADER, Status.ORGANIZING,
               Step.PROVINCE_APPROVAL, "审批省厅意见"),
    Transition(Status.ORGANIZING, "result_proposal", "", ORGANIZER, STAFF, Status.RESULT_PENDING,
               f"{APP}.result_proposal", "抽取专家组、组织评估/验收并提出结论", PROPOSE, Step.RESULT_PROPOSAL),
    *_result(Status.RESULT_PENDING, "result_confirmation", ORGANIZER, LEADER, Step.RESULT_CONFIRMATION,
             "确认评估/验收结论", log=f"{APP}.result_confirmation"),
    Transition(Status.RESULT_PENDING, "result_confirmation", Outcome.RETURN, ORGANIZER, LEADER, Status.ORGANIZING,
               f"{APP}.result_sent_back", "确认评估/验收结论", CONFIRM, Step.RESULT_CONFIRMATION),
    # Paper levels: the recorder transcribes the reply (one recording per level).
    *[row for state in (Status.CITY_REVIEW, Status.CITY_APPROVAL, Status.CITY_BATCH)
      for row in _decision(state, "city_reply", CITY, STAFF, Status.PROVINCE_REVIEW, Step.CITY_REVIEW,
                           "录入市局来文（初审意见）", paper=True)],
    *[row for state in (Status.PROVINCE_REVIEW, Status.PROVINCE_APPROVAL)
      for row in _decision(state, "province_reply", PROVINCE, STAFF, Status.ORGANIZING, Step.PROVINCE_REVIEW,
                           "录入省厅来文（审批意见）", paper=True)],
    *[row for state in (Status.ORGANIZING, Status.RESULT_PENDING)
      for row in _result(state, "result_reply", ORGANIZER, STAFF, Step.RESULT_CONFIRMATION,
                         "录入组织单位来文（评估/验收结论）", paper=True, log=f"{APP}.result_reply")],
)

# What a decision relied on changed before the result (services/basis.py): the decisions of the round
# are void and the branch must look again. Not anyone's turn: the change that voids them is.
VOID = tuple(
    Transition(state, "void", "", BRANCH, STAFF, Status.BRANCH_REVIEW, f"{APP}.decisions_voided",
               "审核依据已变更，原审核意见作废，退回分局重新审核", "", system=True)
    for state in (Status.BRANCH_APPROVAL, Status.BRANCH_BATCH, Status.CITY_REVIEW, Status.CITY_APPROVAL,
                  Status.CITY_BATCH, Status.PROVINCE_REVIEW, Status.PROVINCE_APPROVAL, Status.ORGANIZING,
                  Status.RESULT_PENDING))
# 撤回: the enterprise takes back a submission nobody has acted on yet (no decision on its version; the
# service checks). The state stays the branch's turn until then; back to 草稿, the version kept as history.
WITHDRAW = (Transition(Status.BRANCH_REVIEW, "withdraw", "", ENTERPRISE, ENTERPRISE, Status.DRAFT,
                       f"{APP}.withdrawn", "撤回申请（分局尚未办理）", EDIT, notify=(), aside=True),)
TRANSITIONS = TRANSITIONS + VOID + WITHDRAW

# The level whose turn a state is (the enterprise's states are its own).
STATE_PARTY = {row.source: row.party for row in TRANSITIONS if not row.paper and not row.system and not row.aside}
FINAL_STATES = frozenset(s for s in Status if s not in STATE_PARTY)

ROLES = {
    (ENTERPRISE, ENTERPRISE): Role.ENTERPRISE,
    (Level.BRANCH, STAFF): Role.BRANCH_STAFF, (Level.BRANCH, LEADER): Role.BRANCH_LEADER,
    (Level.CITY, STAFF): Role.CITY_STAFF, (Level.CITY, LEADER): Role.CITY_LEADER,
    (Level.PROVINCE, STAFF): Role.PROVINCE_STAFF, (Level.PROVINCE, LEADER): Role.PROVINCE_LEADER,
}
DESK_LABELS = {STAFF: "经办人员", LEADER: "负责人", ENTERPRISE: ""}


@dataclass
class Route:
    """The parties of one application: agencies by level, the organizer's level, the paper levels."""

    agencies: dict = field(default_factory=dict)  # branch / city / province → Agency
    organizer_level: str = ""
    organizer: object = None
    paper: frozenset = frozenset()  # the levels ("city", "province") that record on paper
    direct: bool = False  # the branch is a 省直管县 (its own city level)
    enterprise_id: int | None = None
    enterprise_name: str = ""

    def level_of(self, party: str) -> str:
        return self.organizer_level if party == ORGANIZER else party

    def agency_of(self, party: str):
        if party == ORGANIZER:
            return self.organizer
        return self.agencies.get(party)

    def is_paper(self, party: str) -> bool:
        return self.level_of(party) in self.paper

    def recorder_level(self, party: str) -> str:
        """The nearest level below `party`'s that works in the platform (the branch always does)."""
        level = self.level_of(party)
        if level == Level.PROVINCE and Level.CITY not in self.paper:
            return Level.CITY
        return Level.BRANCH


@dataclass(frozen=True)
class Owner:
    """Whose turn a state is: the enterprise, or one desk (role) of one agency."""

    party: str
    role: str
    agency: object = None  # None for the enterprise
    paper: bool = False  # recording a paper reply of `party`
    label: str = ""
    enterprise_id: int | None = None

    def includes(self, user) -> bool:
        if is_system(user) or getattr(user, "role", None) != self.role:
            return False
        if self.role == Role.ENTERPRISE:
            return getattr(user, "enterprise_id", None) == self.enterprise_id
        return self.agency is not None and getattr(user, "agency_id", None) == self.agency.pk


def rows_in(state: str, route: Route) -> list[Transition]:
    """The rows that can be taken in `state` for this route (the paper rows when its level is on paper)."""
    party = STATE_PARTY.get(state)
    if party is None:
        return []
    paper = party != ENTERPRISE and route.is_paper(party)
    rows = [r for r in TRANSITIONS if r.source == state and r.paper == paper and not r.system and not r.aside]
    if not paper:
        rows = [r for r in rows if not r.when or r.when == ("direct" if route.direct else "not_direct")]
    return rows


def owner(state: str, route: Route) -> Owner | None:
    """Whose turn `state` is on this route (None: a final state)."""
    rows = rows_in(state, route)
    if not rows:
        return None
    row = rows[0]
    if row.party == ENTERPRISE:
        return Owner(ENTERPRISE, Role.ENTERPRISE, None, False, route.enterprise_name, route.enterprise_id)
    level = route.recorder_level(row.party) if row.paper else route.level_of(row.party)
    agency = route.agencies.get(level) if row.paper else route.agency_of(row.party)
    role = ROLES.get((level, row.desk))
    label = f"{agency}{DESK_LABELS[row.desk]}" if agency is not None else "（未确定）"
    return Owner(row.party, role, agency, row.paper, label)


def find(state: str, route: Route, action: str, outcome: str = "", what: str = "") -> Transition:
    """The row for taking `action` with `outcome` in `state`; InvalidState when the table has none."""
    beside = {"void": VOID, "withdraw": WITHDRAW}
    rows = rows_in(state, route) if action not in beside else [r for r in beside[action] if r.source == state]
    for row in rows:
        if row.action == action and row.outcome == outcome:
            return row
    what = what or next((r.label for r in TRANSITIONS if r.action == action), action)
    if any(r.action == action for r in rows):
        raise InvalidState(f"“{outcome}”不是此环节可选的意见", code="wrong_outcome")
    if state in FINAL_STATES:
        raise InvalidState(f"该申请已有结论，不能{what}", code="already_decided")
    label = Status(state).label if state in Status.values else state
    raise InvalidState(f"该申请当前为“{label}”，不能{what}（可能已由他人处理，请刷新页面）", code="wrong_state")


def require_owner(actor, state: str, route: Route, what: str) -> Owner:
    """The actor must be the one whose turn it is (a named person, never a command's system actor)."""
    turn = owner(state, route)
    if turn is None:
        raise InvalidState(f"该申请已有结论，不能{what}", code="already_decided")
    if is_system(actor):
        raise PermissionDenied(f"{what}须由{turn.label or '办理人'}本人办理")
    if not turn.includes(actor):
        who = f"{turn.label}的企业用户" if turn.role == Role.ENTERPRISE else turn.label
        raise PermissionDenied(f"只有{who}可以{what}")
    return turn


def apply(application, row: Transition) -> tuple[str, str]:
    """Move the application along `row` (found for its current state): the one assignment of the status."""
    if application.status != row.source:
        raise InvalidState("申请状态已变化，请刷新页面", code="wrong_state")
    before, application.status = application.status, row.target
    return before, row.target


def next_label(state: str, route: Route) -> str:
    """What is done next in `state` (the label of its first row)."""
    rows = rows_in(state, route)
    return rows[0].label if rows else ""

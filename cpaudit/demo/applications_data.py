"""Demo 评估/验收 applications: the current campaign holds applications in every state of the chain,
so each demo account finds something to do on `make run` (待办) and the summaries have numbers.

Everything goes through the services, as the people concerned would act, with the business clock set
back a few days per step (`clock.frozen`). Branches without demo accounts, enterprises without one and
the pool's experts act through accounts created here with no usable password: they appear as names on
decisions and scores, nobody logs in as them.

The plan (`EVALUATION_TARGETS`, `ACCEPTANCE_TARGETS`) is matched, in order, to the enrolments eligible
for 评估 (steps 1–27 completed) and for 验收 (all 35 steps), sorted by county and name, so a re-run of
`load-demo` on an empty database gives the same picture. Idempotent: nothing is written when the
campaign already has applications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from cpaudit.applications import services, transitions
from cpaudit.applications.models import Application, Kind, Outcome, Status, Step
from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.experts import services as experts
from cpaudit.experts.models import Expert
from cpaudit.integrity.demo import file_demo_declaration
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import AgencyKind, Role
from cpaudit.org.services import user_create
from cpaudit.progress.models import StepRecord
from cpaudit.progress.services.derived import completed_through, eligible_for_evaluation

from .documents import pdf_upload

# Where each application stops (the chain's order); "failed" / "passed" go through the panel.
EVALUATION_TARGETS = [
    Status.BRANCH_REVIEW, Status.RETURNED, Status.BRANCH_APPROVAL, Status.BRANCH_BATCH, Status.CITY_REVIEW,
    Status.CITY_APPROVAL, Status.CITY_BATCH, Status.PROVINCE_APPROVAL, Status.DRAFT, Status.ORGANIZING,
]
# Enterprises with all 35 steps: 评估 passed (or failed: "evaluation_failed"), then 验收 stopping at
# these states. Together the two lists hold every state of the chain.
ACCEPTANCE_TARGETS = [Status.PASSED, Status.FAILED, Status.RESULT_PENDING, Status.ORGANIZING,
                      Status.PROVINCE_REVIEW, "evaluation_failed", Status.DRAFT]
EXPERTS = [
    ("王建国", "河北省环境科学研究院", "研究员", "environment"), ("李秀英", "河北大学化学与材料科学学院", "教授", "industry"),
    ("张志强", "河北省节能监察监测中心", "高级工程师", "energy"), ("刘海燕", "保定市环境监测站", "高级工程师", "environment"),
    ("陈立新", "河北省轻工业设计研究院", "正高级工程师", "industry"), ("杨文军", "华北电力大学环境学院", "副教授", "environment"),
    ("赵丽华", "河北省纺织工业研究所", "高级工程师", "industry"), ("黄晓东", "河北工业大学能源学院", "教授", "energy"),
    ("周敏", "河北省生态环境科学研究院", "高级工程师", "environment"), ("吴卫东", "石家庄制药集团技术中心（退休）", "正高级工程师", "industry"),
    ("徐红梅", "河北省皮革工业协会", "高级工程师", "industry"), ("孙国庆", "河北科技大学环境学院", "教授", "environment"),
]
RETURN_REASON = "申请表“企业类型”与环评批复不一致，请核实后重新提交"
PAPER_NOTE = "第一阶段（评估）省厅审批意见以纸质来文为准，由市局据来文录入"
PAPER_END = "省厅自第二阶段起在平台办理审批"
STEP_DAYS = 1  # days between two steps of one application


@dataclass
class Cast:
    """Who acts for whom: found among the demo accounts, else created without a usable password."""

    actor: object

    def user(self, username: str, role: str, full_name: str, **links) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=role, full_name=full_name, is_demo=True,
                        password=make_password(None), **links)
            user_create(actor=self.actor, user=user)
            file_demo_declaration(user)  # nobody decides without a declaration of interest (integrity)
        return user

    def enterprise_user(self, enterprise) -> User:
        existing = User.objects.filter(enterprise=enterprise, role=Role.ENTERPRISE, is_active=True).order_by("pk")
        return existing.first() or self.user(f"demo_ent_{enterprise.pk}", Role.ENTERPRISE, enterprise.contact_person
                                             or "企业经办人", enterprise=enterprise)

    def agency_user(self, agency: Agency, role: str) -> User:
        found = User.objects.filter(agency=agency, role=role, is_active=True, is_inspector=False).order_by("pk").first()
        if found:
            return found
        name = agency.section_chief_name if role.endswith("staff") else agency.deputy_name
        return self.user(f"demo_{role}_{agency.pk}", role, name or "经办人", agency=agency)


def _ensure_pool(actor, cast: Cast) -> list[Expert]:
    pool = list(Expert.objects.order_by("pk"))
    if pool:
        return pool
    logins = list(User.objects.filter(role=Role.EXPERT, is_demo=True).order_by("username"))
    for n, (name, employer, title, speciality) in enumerate(EXPERTS):
        user = logins[n] if n < len(logins) else cast.user(f"demo_expert_{n + 1:02d}", Role.EXPERT, name)
        if n < len(logins):
            name = user.full_name or name
        data = {"name": name, "employer": employer, "title": title, "environment": speciality == "environment",
                "energy": speciality == "energy", "industry": speciality == "industry", "user": user}
        if speciality == "energy":
            data["environment"] = True  # energy experts double as environment experts in practice
        pool.append(experts.expert_save(actor=actor, data=data))
        file_demo_declaration(pool[-1])
    return pool


def _eligible(campaign) -> tuple[list[Enrolment], list[Enrolment]]:
    """(eligible for 评估 only, completed all 35 steps): first the counties whose branch has a demo
    login (so those accounts find work), then by county and name."""
    evaluation, complete = [], []
    with_login = {u.agency.division_id for u in User.objects.filter(role=Role.BRANCH_STAFF, is_demo=True)
                  .select_related("agency") if u.has_usable_password()}
    enrolments = sorted(Enrolment.objects.filter(campaign=campaign).select_related("enterprise", "campaign"),
                        key=lambda e: (e.enterprise.county_id not in with_login, e.enterprise.county_id,
                                       e.enterprise.name))
    records: dict[int, list] = {}
    for r in StepRecord.objects.filter(enrolment__campaign=campaign).only("enrolment_id", "step_id", "status"):
        records.setdefault(r.enrolment_id, []).append(r)
    for enrolment in enrolments:
        rows = records.get(enrolment.pk, [])
        if completed_through(rows, 35):
            complete.append(enrolment)
        elif eligible_for_evaluation(rows):
            evaluation.append(enrolment)
    return evaluation, complete


class Walker:
    """Moves applications along the chain in waves (one business day each), so a branch's and a city's
    batches hold several. Each move is the row of the transition table that the state's owner takes."""

    def __init__(self, cast: Cast, day: dt.date):
        self.cast, self.day = cast, day

    def tick(self):
        self.day += dt.timedelta(days=STEP_DAYS)
        return clock.frozen(self.day)

    def start(self, enrolment, kind) -> Application:
        user = self.cast.enterprise_user(enrolment.enterprise)
        with clock.frozen(self.day):
            app = services.application_start(actor=user, enrolment=enrolment, kind=kind)
            what = "评估" if kind == Kind.EVALUATION else "验收"
            name = enrolment.enterprise.name
            for purpose, title in (("letter", f"{name}关于清洁生产审核{what}的申请"),
                                   ("report", f"{name}清洁生产审核报告" + ("（送评估稿）" if kind == Kind.EVALUATION
                                                                     else "及中/高费方案实施情况"))):
                services.attachment_upload(actor=user, application=app, purpose=purpose, uploaded_file=pdf_upload(
                    f"{purpose}.pdf", title, [f"企业名称：{name}", f"统一社会信用代码：{enrolment.enterprise.uscc}"]))
            if kind == Kind.EVALUATION:
                # The audit went to 评估 when its report (step 27) was done, whatever came after.
                report = StepRecord.objects.get(enrolment=enrolment, step_id=27).completion_date
                app = services.application_save(actor=user, application=app, data={"end_date": report.isoformat()})
            return app

    def submit(self, app):
        with clock.frozen(self.day):
            services.application_submit(actor=self.cast.enterprise_user(app.enrolment.enterprise), application=app)

    def owner(self, app):
        route = services.chain_route(app)
        turn = transitions.owner(app.status, route)
        return route, turn, self.cast.agency_user(turn.agency, turn.role)

    def decide(self, app, outcome=Outcome.AGREE, opinion=""):
        route, turn, actor = self.owner(app)
        step = transitions.rows_in(app.status, route)[0].step
        checks = {"materials_complete": True, "facts_true": True} if app.kind == Kind.EVALUATION else \
            {"materials_complete": True, "options_match": True}
        services.application_decide(actor=actor, application=app, step=step, outcome=outcome,
                                    opinion=opinion or OPINIONS.get(step, ""),
                                    checks=checks if step == Step.BRANCH_REVIEW else None)

    def record(self, app, passed: bool = True):
        """The paper level's reply, transcribed by the level below with its scan."""
        route, turn, actor = self.owner(app)
        row = transitions.rows_in(app.status, route)[0]
        replying = route.agency_of(row.party)
        result = row.outcome in (transitions.PASS, transitions.FAIL)
        outcome = (transitions.PASS if passed else transitions.FAIL) if result else Outcome.AGREE
        opinion = (RESULT_OPINIONS[passed] if result else OPINIONS.get(row.step, "同意。"))
        number = f"冀环审函〔{self.day.year}〕{100 + app.pk}号"
        scan = pdf_upload("reply.pdf", f"{replying}关于{app.enrolment.enterprise.name}清洁生产审核的复函",
                          [number, opinion])
        services.application_record_reply(
            actor=actor, application=app, outcome=outcome, opinion=opinion, signer=replying.deputy_name or "审批人",
            source_date=self.day - dt.timedelta(days=1), source_number=number, scan=scan,
            organizer_level=route.organizer_level if row.action == "city_reply" else "")

    def organize(self, app, target):
        """Draw the panel, let the experts score (all of them, or one when stopping in ORGANIZING),
        propose and confirm; a paper organizer's result is its reply, transcribed."""
        route = services.chain_route(app)
        fail = target == Status.FAILED
        if route.is_paper(transitions.ORGANIZER):
            if target != Status.ORGANIZING:
                self.record(app, passed=not fail)
            return
        staff = self.cast.agency_user(app.organizer, _staff_role(app.organizer))
        leader = self.cast.agency_user(app.organizer, _leader_role(app.organizer))
        panel = experts.panel_draw(actor=staff, application=app)
        experts.panel_meeting_save(actor=staff, panel=panel, meeting_date=self.day,
                                   meeting_place=f"{app.organizer}会议室", opinion="")
        members = list(panel.members.select_related("expert__user").order_by("order"))
        sheet = panel.sheet
        items = list(sheet.items.order_by("order"))
        for n, member in enumerate(members):
            # Stopping while organizing: the experts without a demo login have scored; one with a login keeps
            # theirs to do, and that score lets the panel finish (the staff then propose the result).
            if target == Status.ORGANIZING and member.expert.user.has_usable_password():
                continue
            ratio = 0.5 if fail else 0.78 + 0.04 * n
            points = {str(i.pk): str(round(float(i.max_points) * ratio, 1)) for i in items if not i.is_veto}
            experts.score_submit(actor=member.expert.user, member=member, points=points, vetoes=[],
                                 opinion="审核过程规范，方案可行。" if not fail else "物料平衡数据不实，方案缺乏可行性分析。")
        if target == Status.ORGANIZING:
            return
        services.application_result_propose(actor=staff, application=app, opinion=RESULT_OPINIONS[not fail])
        if target == Status.RESULT_PENDING:
            return
        services.application_result_confirm(actor=leader, application=app, outcome=Outcome.AGREE)


OPINIONS = {
    Step.CITY_REVIEW: "经初审，该企业清洁生产审核资料齐全、情况属实，同意上报。",
    Step.PROVINCE_REVIEW: "同意组织清洁生产审核评估（验收）。",
}
RESULT_OPINIONS = {True: "专家组认为该企业清洁生产审核程序规范、方案可行，同意通过。",
                   False: "专家组认为该企业审核基础数据不实，中/高费方案可行性分析不足，不予通过。"}


def _staff_role(agency) -> str:
    return {"province": Role.PROVINCE_STAFF, "city": Role.CITY_STAFF}.get(agency.kind, Role.BRANCH_STAFF)


def _leader_role(agency) -> str:
    return {"province": Role.PROVINCE_LEADER, "city": Role.CITY_LEADER}.get(agency.kind, Role.BRANCH_LEADER)


def _reload(app) -> Application:
    return Application.objects.select_related("enrolment__enterprise", "campaign", "organizer").get(pk=app.pk)


def _arrived(walker, app, target) -> bool:
    """Whether `app` has gone as far as planned (a stop in 组织评估/验收中 leaves a panel with one score)."""
    if app.status in (Status.PASSED, Status.FAILED, Status.RETURNED, Status.DRAFT):
        return True
    if app.status == Status.ORGANIZING and target == Status.ORGANIZING:
        if not app.panels.exists():
            walker.organize(app, target)
        return True
    return app.status == target


def _advance(walker: Walker, plans: list[tuple[Application, str]]) -> None:
    """Move every application one row of the chain a day until it arrives (batches group every
    application of one unit waiting that day)."""
    for _ in range(len(Status) * 2):
        with walker.tick():
            movers = [(a, t) for a, t in ((_reload(a), t) for a, t in plans) if not _arrived(walker, a, t)]
            if not movers:
                return
            _move(walker, movers)
    raise RuntimeError("demo applications did not reach their planned states")


def _move(walker, movers) -> None:
    batches: dict[tuple, list] = {}
    for app, target in movers:
        route, turn, actor = walker.owner(app)
        page = transitions.rows_in(app.status, route)[0].page
        if page == transitions.DECIDE:
            walker.decide(app)
        elif page == transitions.RECORD and app.status in (Status.ORGANIZING, Status.RESULT_PENDING):
            walker.organize(app, target)
        elif page == transitions.RECORD:
            walker.record(app)
        elif page == transitions.BATCH:
            batches.setdefault((actor.pk, app.kind), []).append(app)
        elif page in (transitions.PROPOSE, transitions.CONFIRM):
            walker.organize(app, target)
    for (actor_pk, kind), apps in batches.items():
        services.batch_submit(actor=User.objects.get(pk=actor_pk), campaign=apps[0].campaign, kind=kind,
                              applications=apps)


def _ready_day(enrolments, step: int) -> dt.date | None:
    """The day after the last of these enrolments completed `step` (an application cannot predate it)."""
    days = StepRecord.objects.filter(enrolment__in=enrolments, step_id=step).values_list("completion_date", flat=True)
    days = [d for d in days if d]
    return max(days) + dt.timedelta(days=1) if days else None


def load_applications(actor, campaign, today: dt.date) -> int:
    """Idempotent: nothing is written when the campaign already has applications."""
    if Application.objects.filter(campaign=campaign).exists():
        return 0
    cast = Cast(actor)
    _ensure_pool(actor, cast)
    for_evaluation, complete = _eligible(campaign)
    complete = complete[:len(ACCEPTANCE_TARGETS)]
    for_evaluation = for_evaluation[:len(EVALUATION_TARGETS)]
    span = dt.timedelta(days=STEP_DAYS * 14)
    # Phase 1 for the complete enterprises: their 评估 passes (one fails), then 验收.
    # Their 评估 comes after the report (step 27) and before the 中/高费 options are implemented.
    walker = Walker(cast, _ready_day(complete, 27) or today - 2 * span)
    evaluations = []
    for enrolment, target in zip(complete, ACCEPTANCE_TARGETS, strict=False):
        app = walker.start(enrolment, Kind.EVALUATION)
        walker.submit(app)
        evaluations.append((app, Status.FAILED if target == "evaluation_failed" else Status.PASSED))
    # The province worked on paper through the first phase: its replies (and its results for 省管
    # enterprises) were transcribed by the city (据来文录入); it joined the platform afterwards.
    province = Agency.objects.filter(kind=AgencyKind.PROVINCE).order_by("pk").first()
    paper = keeper = None
    if province is not None:
        keeper = cast.agency_user(province, Role.PROVINCE_STAFF)
        with clock.frozen(walker.day):
            paper = services.paper_agency_set(actor=keeper, agency=province, campaign=campaign, note=PAPER_NOTE)
    _advance(walker, evaluations)
    if paper is not None:
        with clock.frozen(walker.day):
            services.paper_agency_remove(actor=keeper, item=paper, reason=PAPER_END)
    acceptances = []
    walker.day = max(walker.day, _ready_day(complete, 35) or walker.day)  # 验收 once the audit is complete
    for (evaluation, _), target in zip(evaluations, ACCEPTANCE_TARGETS, strict=False):
        if target == "evaluation_failed":
            continue
        app = walker.start(evaluation.enrolment, Kind.ACCEPTANCE)
        if target != Status.DRAFT:
            walker.submit(app)
            acceptances.append((app, target))
    # 评估 of the others, stopping along the chain.
    walker.day = max(walker.day, _ready_day(for_evaluation, 27) or walker.day)
    plans = []
    for enrolment, target in zip(for_evaluation, EVALUATION_TARGETS, strict=False):
        app = walker.start(enrolment, Kind.EVALUATION)
        if target == Status.DRAFT:
            continue
        walker.submit(app)
        if target == Status.RETURNED:
            walker.decide(_reload(app), outcome=Outcome.RETURN, opinion=RETURN_REASON)
            continue
        plans.append((app, target))
    _advance(walker, acceptances + plans)
    return Application.objects.filter(campaign=campaign).count()

"""Demo audit progress: step records, options with their benefits, and baseline/after figures for the
demo campaigns, so the dashboards are meaningful on `make run`. Invented, like the rest of the demo.

- The active campaign: enterprises spread over all seven stages (some not started, those whose
  完成审核时间 is set complete), plausible dates (no start before the enrolment's 开始审核时间, nothing
  after today, stages overlapping as real audits do, the deliverable steps 22/27/35 completed only
  once the earlier stages are), a mix of review states (待核实, 已核实, 已退回 with a reason), a few
  enterprises that have not moved for longer than the campaign's stale_days; 3–8 options each once
  the audit is past 审核准备 (无/低费 ones, 中/高费 ones with investments around the fee threshold),
  statuses from 提出 to 已实施 and a few 放弃, expected benefits, achieved ones for implemented options
  (one or two far above expectation, so the benefit flags show); baseline figures past stage 3 and
  after-implementation figures past step 30.
- The closed 2020 campaign: most enterprises complete (all 35 steps confirmed), a few stuck earlier.
- What applications rely on holds (cpaudit.progress.services.derived.*_blockers): every completed
  deliverable step (22, 27, 35) carries its report as a small real PDF (cpaudit.demo.documents),
  stored through the evidence storage (core.storedfiles) so that downloads work; an enterprise whose
  audit is complete through step 27 (or 35) has those steps confirmed by its branch, so
  applications_data can apply for 评估 (验收); an enterprise with all 35 steps has each 中/高费 option
  implemented or abandoned, and every abandoned option gives its reason (the files: progress_files).

Deterministic: one random.Random(SEED) per campaign drives every choice in a fixed order.
Idempotent: a campaign whose enrolments already have step records is left alone.

Written with bulk_create rather than through the step/option/figures services: going through the
services would write one log entry per step and option (thousands for a demo load) and take far
longer, and the services refuse what the demo needs (back-dated entries, the closed 2020 campaign).
Instead ONE summary log entry per campaign records the load (action "demo.progress.loaded", data:
the counts), so the action log still shows who wrote the demo progress and how much. Option flags
are computed with the options service's own helper (services.options.compute_flags).
"""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.progress.models import (
    Evidence,
    Figures,
    Option,
    OptionCategory,
    OptionStatus,
    ProductOutput,
    ReviewStatus,
    StepRecord,
    StepStatus,
)
from cpaudit.progress.services.options import compute_flags, suggest_category
from cpaudit.progress.steps import DELIVERABLE_STEPS, EVALUATION_STEP, FINAL_STEP, stages
from cpaudit.registry.industries import six_industry_codes

from .data import SEED
from .progress_files import deliverable_files

ACTION = "demo.progress.loaded"
register(ACTION, "写入演示审核进展",
         detail=lambda entry: "步骤记录{step_records}条、成果文件{evidence}份、方案{options}项、审核数据{figures}组".format(
             **{"step_records": 0, "evidence": 0, "options": 0, "figures": 0, **(entry.data or {})}))

AFTER_STEP = 30  # 验证已实施的中/高费方案的成果: the 'after' figures
STALE_COUNT = 4  # active campaign: enterprises idle for longer than stale_days
STUCK_COUNT = 4  # closed campaign: enterprises that never finished
RETURN_REASONS = [
    "佐证材料不完整，请补充现场照片和签到记录后重新提交。",
    "实测数据缺少监测单位盖章，请补充。",
    "物料平衡图与实测数据不一致，请核对后修改。",
    "方案汇总表未列明投资估算，请补充。",
]
PENDING_DAYS = 14  # completed steps younger than this (before the last movement) mostly await review
ABANDON_REASONS = [
    "投资回收期过长，经论证暂不实施。", "厂区规划调整，改由其他方案替代。", "设备供应商停产，技术条件不具备。",
    "与在建环保工程重复，合并实施。",
]
# Low-cost options: (name, benefit kind). Kinds: water, energy, other.
LOW_OPTIONS = [
    ("加强跑冒滴漏巡检管理", "water"), ("车间照明更换为LED节能灯具", "energy"), ("冷却水循环回用", "water"),
    ("完善水、电、汽计量器具配备", "energy"), ("优化设备清洗工序用水", "water"), ("蒸汽管道及阀门保温", "energy"),
    ("原辅材料按需领用、定额管理", "other"), ("空压机管路泄漏治理", "energy"), ("雨污分流及地面冲洗改干扫", "water"),
    ("化学品库房规范化管理", "other"),
]
# Medium/high-cost options by industry group.
HIGH_OPTIONS = {
    "造纸": [("白水回收及纤维回用系统改造", "water"), ("污泥深度脱水改造", "other"), ("纸机真空系统节能改造", "energy")],
    "印染": [("冷轧堆前处理工艺改造", "water"), ("印染废水中水回用工程", "water"), ("定型机废气余热回收", "energy")],
    "纺织": [("空压机变频节能改造", "energy"), ("高效节能织机更换", "energy"), ("浆料回收系统", "water")],
    "制革": [("少铬鞣制工艺改造", "other"), ("浸灰废液循环利用", "water"), ("转鼓变频节能改造", "energy")],
    "酿造": [("酒糟综合利用", "other"), ("蒸馏冷却水余热回收", "energy"), ("高浓度废水厌氧沼气利用", "water")],
    "制药": [("溶媒回收装置改造", "other"), ("MVR蒸发浓缩系统", "energy"), ("纯化水制备浓水回用", "water")],
}
GENERAL_HIGH = [("燃煤锅炉改天然气锅炉", "energy"), ("屋顶分布式光伏发电", "energy"), ("厂区中水回用系统", "water")]
OTHER_POLLUTANT = {"制革": "总铬", "印染": "苯胺类", "造纸": "悬浮物", "纺织": "悬浮物", "酿造": "悬浮物", "制药": "VOCs"}
# Water intensity (t fresh water per 万元 revenue) and product unit by industry group.
WATER_INTENSITY = {"造纸": (25, 60), "印染": (20, 45), "制革": (15, 35), "纺织": (4, 12), "酿造": (8, 20),
                   "制药": (6, 18)}
PRODUCT_UNITS = {"造纸": ("吨", 0.25), "印染": ("万米", 0.02), "制革": ("万标张", 0.004), "纺织": ("吨", 0.05),
                 "酿造": ("吨", 0.12), "制药": ("吨", 0.01)}  # unit, quantity per 万元 revenue
RAW_MATERIALS = {
    "造纸": "废纸、商品木浆、淀粉、助留剂", "印染": "坯布、活性染料、分散染料、烧碱、助剂",
    "制革": "原皮、铬鞣剂、硫化钠、石灰、加脂剂", "纺织": "棉花、涤纶短纤、浆料",
    "酿造": "高粱、小麦、大米、稻壳", "制药": "原料药中间体、乙醇、丙酮、活性炭",
}


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _q(value: float, places: str = "0.01") -> Decimal:
    return Decimal(f"{value:.6f}").quantize(Decimal(places))


@dataclass
class People:
    """Demo accounts who record and review, when there is one (else the record names nobody)."""

    enterprise: dict[int, User] = field(default_factory=dict)  # enterprise pk → its user
    consultant: dict[int, User] = field(default_factory=dict)  # consulting agency pk → its user
    branch: dict[str, User] = field(default_factory=dict)  # county code → branch staff
    made: dict[int, User] = field(default_factory=dict)  # enterprise pk → account made to upload its files

    @classmethod
    def load(cls) -> "People":
        people = cls()
        for user in User.objects.filter(is_demo=True).select_related("agency").order_by("username"):
            if user.role == Role.ENTERPRISE and user.enterprise_id and user.has_usable_password():
                people.enterprise.setdefault(user.enterprise_id, user)
            elif user.role == Role.CONSULTANT and user.consulting_agency_id:
                people.consultant.setdefault(user.consulting_agency_id, user)
            elif user.role == Role.BRANCH_STAFF and user.agency and not user.is_inspector:
                people.branch.setdefault(user.agency.division_id, user)
        return people

    def recorder(self, enrolment: Enrolment) -> User | None:
        if enrolment.mode == AuditMode.ENTRUSTED and enrolment.consulting_agency_id in self.consultant:
            return self.consultant[enrolment.consulting_agency_id]
        return self.enterprise.get(enrolment.enterprise_id)


@dataclass
class Plan:
    """How far one enrolment has got: `reached` stage, how many steps of it were touched, the window of
    its activity (first day … last movement), and whether everything is complete."""

    reached: int
    touched_in_stage: int = 0
    complete: bool = False
    overlap: bool = False  # the last step of the previous stage still in progress
    first: dt.date | None = None
    last: dt.date | None = None


class CampaignLoader:
    def __init__(self, campaign: Campaign, today: dt.date, people: People):
        self.campaign, self.today, self.people = campaign, today, people
        self.rng = random.Random(SEED)
        self.group_of = {code: group for group, code in six_industry_codes()}
        self.records: list[StepRecord] = []
        self.evidence: list[Evidence] = []
        self.options: list[Option] = []
        self.figures: list[tuple[Figures, ProductOutput]] = []
        self.flags_left = 2  # achieved far above expected: one or two options per campaign
        self.plans: dict[int, Plan] = {}

    # --- plans ---------------------------------------------------------------------------------

    def plan_active(self, enrolments: list[Enrolment]) -> None:
        rng = self.rng
        finished = [e for e in enrolments if e.end_date and e.end_date <= self.today]
        running = sorted((e for e in enrolments if e not in finished), key=lambda e: (e.start_date, e.pk))
        # Every stage at least once, then more in the middle stages; the oldest audits got furthest.
        wanted = list(range(8)) + rng.choices(range(8), weights=[3, 4, 5, 6, 6, 5, 4, 3],
                                              k=max(len(running) - 8, 0))
        wanted = sorted(wanted[:len(running)], reverse=True)
        for _ in range(len(wanted) // 3):  # some audits are faster or slower than their start suggests
            i, j = rng.randrange(len(wanted)), rng.randrange(len(wanted))
            wanted[i], wanted[j] = wanted[j], wanted[i]
        for e in finished:
            self.plans[e.pk] = Plan(7, complete=True, first=e.start_date, last=e.end_date)
        old_enough = self.today - dt.timedelta(days=self.campaign.stale_days + 30)
        stale_pool = [e for e, r in zip(running, wanted, strict=True) if 2 <= r <= 5
                      and e.start_date <= old_enough and e.enterprise_id not in self.people.enterprise]
        stale = set(e.pk for e in rng.sample(stale_pool, min(STALE_COUNT, len(stale_pool))))
        for e, reached in zip(running, wanted, strict=True):
            if e.enterprise_id in self.people.enterprise and reached not in (3, 4, 5):
                reached = 4  # the demo enterprise accounts see an audit in full swing
            plan = Plan(reached)
            if reached:
                size = len(stages()[reached - 1].steps)
                plan.touched_in_stage = rng.randint(1, size - 1 if reached == 7 else size)
                plan.overlap = reached > 1 and plan.touched_in_stage < size and rng.random() < 0.25
                first = e.start_date + dt.timedelta(days=rng.randint(0, 6))
                if e.pk in stale:
                    idle = self.campaign.stale_days + rng.randint(8, 60)
                else:
                    idle = rng.randint(0, max(self.campaign.stale_days - 8, 1))
                plan.first = min(first, self.today)
                plan.last = max(self.today - dt.timedelta(days=idle), plan.first)
            self.plans[e.pk] = plan

    def plan_closed(self, enrolments: list[Enrolment]) -> None:
        rng = self.rng
        stuck = set(e.pk for e in rng.sample(enrolments, min(STUCK_COUNT, len(enrolments))))
        for e in enrolments:
            first = e.start_date + dt.timedelta(days=rng.randint(0, 5))
            end = e.end_date or (e.start_date + dt.timedelta(days=200))
            if e.pk in stuck:
                reached = rng.randint(3, 6)
                span = (end - first).days
                last = first + dt.timedelta(days=span * reached // 9)
                size = len(stages()[reached - 1].steps)
                self.plans[e.pk] = Plan(reached, touched_in_stage=rng.randint(1, size - 1), first=first, last=last)
            else:
                self.plans[e.pk] = Plan(7, complete=True, first=first, last=end)

    # --- step records --------------------------------------------------------------------------

    def touched_steps(self, plan: Plan) -> list[tuple[int, str]]:
        """(step number, status) in order."""
        if plan.complete:
            return [(n, StepStatus.COMPLETED) for s in stages() for n in s.step_numbers]
        result = []
        for stage in stages()[:plan.reached - 1]:
            result += [(n, StepStatus.COMPLETED) for n in stage.step_numbers]
        current = stages()[plan.reached - 1].step_numbers[:plan.touched_in_stage]
        in_progress = 1 if len(current) == 1 else self.rng.randint(1, 2)
        result += [(n, StepStatus.COMPLETED if i < len(current) - in_progress else StepStatus.IN_PROGRESS)
                   for i, n in enumerate(current)]
        if plan.overlap and result:
            previous_last = stages()[plan.reached - 2].step_numbers[-1]
            index = next(i for i, (n, _) in enumerate(result) if n == previous_last)
            completed_deliverable = any(n in DELIVERABLE_STEPS and st == StepStatus.COMPLETED
                                        for n, st in result[index + 1:])
            if not completed_deliverable:
                result[index] = (previous_last, StepStatus.IN_PROGRESS)
        return result

    def build_records(self, enrolment: Enrolment, plan: Plan, closed: bool) -> None:
        if not plan.reached:
            return
        rng = self.rng
        touched = self.touched_steps(plan)
        span = max((plan.last - plan.first).days, 0)
        n = len(touched)
        recorder = self.people.recorder(enrolment)
        reviewer = self.people.branch.get(enrolment.enterprise.county_id)
        latest_completion = plan.first
        returned_done = closed or rng.random() > 0.3  # about a third of running audits have a step returned
        # An audit complete through step 27 (or 35) has them confirmed: applications rely on them.
        completed = {number for number, status in touched if status == StepStatus.COMPLETED}
        relied_on = next((last for last in (FINAL_STEP, EVALUATION_STEP)
                          if completed.issuperset(range(1, last + 1))), 0)
        for i, (number, status) in enumerate(touched):
            start = plan.first + dt.timedelta(days=span * i // n + rng.randint(0, 2))
            start = min(start, plan.last)
            record = StepRecord(enrolment=enrolment, step_id=number, status=status, start_date=start,
                                recorded_by=recorder)
            if i == n - 1:
                day = plan.last  # the last movement
            else:
                day = start
            if status == StepStatus.COMPLETED:
                length = max(1, round(span / n * rng.uniform(0.8, 2.2)))
                completion = min(start + dt.timedelta(days=length), plan.last)
                if number in DELIVERABLE_STEPS:  # after every earlier step's completion
                    completion = min(max(completion, latest_completion), plan.last)
                if i == n - 1:
                    completion = plan.last
                latest_completion = max(latest_completion, completion)
                record.completion_date = completion
                day = completion
                age = (plan.last - completion).days
                confirmed = closed or age > PENDING_DAYS and rng.random() < 0.92
                if confirmed or number <= relied_on:
                    record.review = ReviewStatus.CONFIRMED
                else:
                    record.review = ReviewStatus.PENDING
            record.recorded_at = _aware(day, rng.randint(9, 11), rng.randint(0, 59))
            if record.review == ReviewStatus.CONFIRMED:
                reviewed = min(day + dt.timedelta(days=rng.randint(1, 6)), plan.last)
                record.reviewed_by, record.reviewed_at = reviewer, _aware(reviewed, rng.randint(14, 17),
                                                                          rng.randint(0, 59))
            self.records.append(record)
        if not returned_done and not plan.complete:
            # The branch sent one recent step of the current stage back: in progress again, with the
            # reason (never a deliverable, never a step a completed deliverable depends on).
            current = stages()[plan.reached - 1].step_numbers
            candidates = [r for r in self.records[-n:] if r.review == ReviewStatus.PENDING
                          and r.step_id in current and r.step_id not in DELIVERABLE_STEPS]
            if candidates:
                record = rng.choice(candidates)
                reviewed = record.completion_date
                record.status, record.completion_date = StepStatus.IN_PROGRESS, None
                record.review, record.review_reason = ReviewStatus.RETURNED, rng.choice(RETURN_REASONS)
                record.reviewed_by, record.reviewed_at = reviewer, _aware(reviewed, 16, 30)

    # --- options -------------------------------------------------------------------------------

    def option_statuses(self, plan: Plan, category: str) -> list[str]:
        """Plausible statuses for an option at the enrolment's stage (weighted by repetition)."""
        S = OptionStatus
        r = 7 if plan.complete else plan.reached
        if category == OptionCategory.LOW:  # 无/低费: implemented while auditing (边审核边实施)
            if r <= 2:
                return [S.PROPOSED, S.IMPLEMENTING, S.IMPLEMENTING, S.IMPLEMENTED]
            if r <= 4:
                return [S.SCREENED, S.IMPLEMENTING, S.IMPLEMENTED, S.IMPLEMENTED, S.IMPLEMENTED]
            return [S.IMPLEMENTED] * 6 + [S.ABANDONED]
        if plan.complete:  # 验收 needs every 中/高费 option implemented or abandoned
            return [S.IMPLEMENTED] * 5 + [S.ABANDONED]
        if r <= 3:
            return [S.PROPOSED]
        if r == 4:
            return [S.PROPOSED, S.PROPOSED, S.SCREENED, S.ABANDONED]
        if r == 5:
            return [S.SCREENED, S.SCREENED, S.IMPLEMENTING, S.ABANDONED]
        if r == 6:
            return [S.IMPLEMENTING, S.IMPLEMENTING, S.IMPLEMENTED, S.SCREENED]
        return [S.IMPLEMENTED] * 5 + [S.IMPLEMENTING, S.ABANDONED]

    def expected(self, kind: str, investment: Decimal, option: Option, group: str) -> None:
        rng = self.rng
        base = max(float(investment), 1.5)
        if kind == "water":
            water = base * rng.uniform(150, 700)
            option.expected_water_t = _q(water, "1")
            option.expected_wastewater_t = _q(water * rng.uniform(0.7, 0.9), "1")
            option.expected_cod_t = _q(water * rng.uniform(0.0001, 0.0004), "0.001")
            option.expected_nh3n_t = _q(water * rng.uniform(0.00001, 0.00004), "0.0001")
        elif kind == "energy":
            option.expected_energy_tce = _q(base * rng.uniform(0.4, 2.5), "0.1")
            option.expected_electricity_kwh = _q(base * rng.uniform(800, 5000), "1")
        else:
            option.other_pollutant = OTHER_POLLUTANT[group]
            option.expected_other_t = _q(base * rng.uniform(0.02, 0.2), "0.01")
        option.expected_economic_wan = _q(base * rng.uniform(0.15, 0.7), "0.01")

    def achieve(self, option: Option, closed: bool) -> None:
        rng = self.rng
        inflate = None
        if not closed and self.flags_left and rng.random() < 0.15:
            self.flags_left -= 1
            inflate = "economic_wan"
        for suffix in ("energy_tce", "electricity_kwh", "water_t", "wastewater_t", "cod_t", "nh3n_t", "other_t",
                       "economic_wan"):
            expected = getattr(option, f"expected_{suffix}")
            if expected is None:
                continue
            factor = rng.uniform(3.6, 5.0) if suffix == inflate else rng.uniform(0.7, 1.15)
            places = "0.0001" if suffix == "nh3n_t" else "0.001" if suffix == "cod_t" else "0.01"
            setattr(option, f"achieved_{suffix}", _q(float(expected) * factor, places))

    def build_options(self, enrolment: Enrolment, plan: Plan, closed: bool) -> None:
        rng = self.rng
        if plan.reached < 2:
            return
        group = self.group_of.get(enrolment.enterprise.industry_id, "纺织")
        threshold = float(self.campaign.fee_threshold)
        r = 7 if plan.complete else plan.reached
        count = rng.randint(3, 4) if r <= 3 else rng.randint(3, 8)
        n_high = 0 if r <= 3 else min(count - 2, rng.randint(1, 3))
        low_names = rng.sample(LOW_OPTIONS, count - n_high)
        high_names = rng.sample(HIGH_OPTIONS[group] + GENERAL_HIGH, n_high)
        recorder = self.people.recorder(enrolment)
        # 无/低费 options come from steps 10 (预审核), 15 (审核) and 20 (方案的产生和筛选), as far as reached.
        low_steps = [n for n, stage in ((10, 2), (15, 3), (20, 4)) if stage <= r]
        for index, (name, kind) in enumerate(low_names + high_names):
            high = index >= len(low_names)
            if high:
                investment = _q(threshold * (rng.uniform(1.0, 1.4) if rng.random() < 0.4 else rng.uniform(1.5, 8)))
            else:
                investment = _q(rng.uniform(35, threshold - 0.5) if rng.random() < 0.1 else rng.uniform(0, 12))
            category = suggest_category(investment, self.campaign)
            reason = ""
            if not high and investment > threshold * 0.8 and rng.random() < 0.5:
                category, reason = OptionCategory.HIGH, "含配套土建及管网工程，整体按中/高费方案管理"
            option = Option(enrolment=enrolment, name=name, category=category, category_reason=reason,
                            investment=investment, recorded_by=recorder,
                            source_step_id=rng.choice(low_steps) if not high else rng.choice((16, 17, 18, 19)))
            option.status = rng.choice(self.option_statuses(plan, category))
            if option.status == OptionStatus.ABANDONED:
                option.abandon_reason = rng.choice(ABANDON_REASONS)
            self.expected(kind, investment, option, group)
            window_end = plan.last or self.today
            if option.status == OptionStatus.IMPLEMENTED:
                first = plan.first or window_end
                option.actual_date = first + dt.timedelta(days=rng.randint(0, max((window_end - first).days, 0)))
                option.planned_date = max(option.actual_date + dt.timedelta(days=rng.randint(-20, 20)), first)
                self.achieve(option, closed)
            elif option.status != OptionStatus.ABANDONED:
                option.planned_date = max(window_end, self.today if not closed else window_end) + dt.timedelta(
                    days=rng.randint(20, 150))
            option.flags = compute_flags(option, self.campaign.benefit_flag_factor)
            self.options.append(option)

    # --- figures -------------------------------------------------------------------------------

    def build_figures(self, enrolment: Enrolment, plan: Plan, records_by_step: dict[int, StepRecord]) -> None:
        if not plan.complete and plan.reached <= 3:
            return
        rng = self.rng
        enterprise = enrolment.enterprise
        group = self.group_of.get(enterprise.industry_id, "纺织")
        revenue = float(enterprise.main_business_revenue or 1000)
        low, high = WATER_INTENSITY[group]
        water = revenue * rng.uniform(low, high)
        wastewater = water * rng.uniform(0.65, 0.85) if enterprise.water_related else water * 0.1
        unit, per_wan = PRODUCT_UNITS[group]
        baseline = {
            "water_use_t": water, "wastewater_t": wastewater, "energy_tce": revenue * rng.uniform(0.05, 0.3),
            "electricity_kwh": revenue * rng.uniform(300, 1500), "cod_t": wastewater * rng.uniform(0.00004, 0.00012),
            "nh3n_t": wastewater * rng.uniform(0.000004, 0.000015),
            "hazardous_waste_t": revenue * rng.uniform(0.0005, 0.004),
        }
        product = (enterprise.main_products or "主要产品").split("、")[0][:100]
        output = revenue * per_wan * rng.uniform(0.8, 1.2)
        year = self.campaign.year - 1
        self._figures(enrolment, Figures.Kind.BASELINE, year, baseline, product, unit, output)
        after_record = records_by_step.get(AFTER_STEP)
        if after_record is not None and after_record.status == StepStatus.COMPLETED:
            after = {k: v * rng.uniform(0.85, 0.97) for k, v in baseline.items()}
            self._figures(enrolment, Figures.Kind.AFTER, after_record.completion_date.year, after, product, unit,
                          output * rng.uniform(1.0, 1.08))

    def _figures(self, enrolment, kind, year, values, product, unit, output) -> None:
        places = {"cod_t": "0.001", "nh3n_t": "0.0001", "hazardous_waste_t": "0.001", "energy_tce": "0.1"}
        figures = Figures(enrolment=enrolment, kind=kind, year=year, raw_materials=RAW_MATERIALS.get(
            self.group_of.get(enrolment.enterprise.industry_id, ""), ""),
            recorded_by=self.people.recorder(enrolment),
            **{k: _q(v, places.get(k, "1")) for k, v in values.items()})
        self.figures.append((figures, ProductOutput(name=product, unit=unit, quantity=_q(output, "0.01"))))

    # --- the whole campaign --------------------------------------------------------------------

    def load(self, actor) -> dict[str, int]:
        enrolments = list(Enrolment.objects.filter(campaign=self.campaign)
                          .select_related("enterprise").order_by("enterprise__uscc"))
        closed = self.campaign.status == Campaign.Status.CLOSED
        for e in enrolments:
            if e.start_date is None:
                e.start_date = self.campaign.audit_start_date or dt.date(self.campaign.year, 3, 1)
        if closed:
            self.plan_closed(enrolments)
        else:
            self.plan_active(enrolments)
        for e in enrolments:
            plan = self.plans[e.pk]
            first = len(self.records)
            self.build_records(e, plan, closed)
            self.build_options(e, plan, closed)
            self.build_figures(e, plan, {r.step_id: r for r in self.records[first:]})
        StepRecord.objects.bulk_create(self.records)
        self.evidence = deliverable_files(self.records, self.campaign, self.people, actor)
        Option.objects.bulk_create(self.options)
        Figures.objects.bulk_create([f for f, _ in self.figures])
        for figures, product in self.figures:
            product.figures = figures
        ProductOutput.objects.bulk_create([p for _, p in self.figures])
        stages_reached = Counter(0 if not p.reached else p.reached for p in self.plans.values())
        counts = {"enrolments": len(enrolments), "step_records": len(self.records), "evidence": len(self.evidence),
                  "options": len(self.options),
                  "figures": len(self.figures), "complete": sum(1 for p in self.plans.values() if p.complete),
                  "by_stage": {str(k): stages_reached[k] for k in sorted(stages_reached)},
                  "flagged_options": sum(1 for o in self.options if o.flags)}
        log_action(actor=actor, action=ACTION, obj=self.campaign, data=counts)
        return counts


def load_progress(actor, today: dt.date) -> dict[str, int]:
    """Load the demo progress of every demo campaign whose enrolments have no step records yet. Must run
    inside the load's transaction. Returns counts by label, for the load's summary."""
    from .data import HISTORY_SLUG

    totals = Counter()
    people = None
    campaigns = Campaign.objects.filter(slug__in=[HISTORY_SLUG, f"byd{today.year}"]).order_by("year", "slug")
    for campaign in campaigns:
        if StepRecord.objects.filter(enrolment__campaign=campaign).exists():
            continue
        if not Enrolment.objects.filter(campaign=campaign).exists():
            continue
        people = people or People.load()
        counts = CampaignLoader(campaign, today, people).load(actor)
        totals["审核步骤记录"] += counts["step_records"]
        totals["成果文件"] += counts["evidence"]
        totals["清洁生产方案"] += counts["options"]
        totals["审核数据"] += counts["figures"]
    return {label: totals[label] for label in ("审核步骤记录", "成果文件", "清洁生产方案", "审核数据")}

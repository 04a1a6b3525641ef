"""Demo options (清洁生产方案) of one enrolment: names by industry, statuses that fit how far its audit
has got, expected benefits from the investment, achieved ones for implemented options (one or two far
above expectation per campaign, so the benefit flags show). A mixin of progress_data.CampaignLoader,
which holds what it reads and fills: rng, campaign, today, people, group_of, options, flags_left.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import Option, OptionCategory, OptionStatus
from cpaudit.progress.services.options import compute_flags, suggest_category

if TYPE_CHECKING:
    from .progress_data import Plan

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


def q(value: float, places: str = "0.01") -> Decimal:
    return Decimal(f"{value:.6f}").quantize(Decimal(places))


class OptionBuilder:
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
        # 中/高费 options are implemented once the 评估 has passed, and the demo passes 评估 only for
        # complete audits (applications_data): elsewhere they are at most being implemented.
        if r <= 3:
            return [S.PROPOSED]
        if r == 4:
            return [S.PROPOSED, S.PROPOSED, S.SCREENED, S.ABANDONED]
        if r == 5:
            return [S.SCREENED, S.SCREENED, S.IMPLEMENTING, S.ABANDONED]
        if r == 6:
            return [S.IMPLEMENTING, S.IMPLEMENTING, S.IMPLEMENTING, S.SCREENED]
        return [S.IMPLEMENTING] * 6 + [S.ABANDONED]

    def expected(self, kind: str, investment: Decimal, option: Option, group: str) -> None:
        rng = self.rng
        base = max(float(investment), 1.5)
        if kind == "water":
            water = base * rng.uniform(150, 700)
            option.expected_water_t = q(water, "1")
            option.expected_wastewater_t = q(water * rng.uniform(0.7, 0.9), "1")
            option.expected_cod_t = q(water * rng.uniform(0.0001, 0.0004), "0.001")
            option.expected_nh3n_t = q(water * rng.uniform(0.00001, 0.00004), "0.0001")
        elif kind == "energy":
            option.expected_energy_tce = q(base * rng.uniform(0.4, 2.5), "0.1")
            option.expected_electricity_kwh = q(base * rng.uniform(800, 5000), "1")
        else:
            option.other_pollutant = OTHER_POLLUTANT[group]
            option.expected_other_t = q(base * rng.uniform(0.02, 0.2), "0.01")
        option.expected_economic_wan = q(base * rng.uniform(0.15, 0.7), "0.01")

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
            setattr(option, f"achieved_{suffix}", q(float(expected) * factor, places))

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
                investment = q(threshold * (rng.uniform(1.0, 1.4) if rng.random() < 0.4 else rng.uniform(1.5, 8)))
            else:
                investment = q(rng.uniform(35, threshold - 0.5) if rng.random() < 0.1 else rng.uniform(0, 12))
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
                if category == OptionCategory.HIGH and plan.resume:  # after the 评估 (wait_for_evaluation)
                    first = plan.resume
                option.actual_date = first + dt.timedelta(days=rng.randint(0, max((window_end - first).days, 0)))
                option.planned_date = max(option.actual_date + dt.timedelta(days=rng.randint(-20, 20)), first)
                self.achieve(option, closed)
            elif option.status != OptionStatus.ABANDONED:
                option.planned_date = max(window_end, self.today if not closed else window_end) + dt.timedelta(
                    days=rng.randint(20, 150))
            option.flags = compute_flags(option, self.campaign.benefit_flag_factor)
            self.options.append(option)

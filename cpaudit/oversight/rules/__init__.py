"""The anomaly rules (异常情况筛查), each a function Context → [FindingSpec] that reads in bulk (a few
queries whatever the number of decisions). services.anomaly_run runs them all and stores the findings.
"""

from ..models import Rule
from .changes import figures_after_decision, reopened_steps
from .patterns import all_pass, concentration, expert_pairs
from .timing import off_hours, quick_decisions

RULES = {
    Rule.QUICK: quick_decisions,
    Rule.OFF_HOURS: off_hours,
    Rule.CONCENTRATION: concentration,
    Rule.PAIR: expert_pairs,
    Rule.ALL_PASS: all_pass,
    Rule.REOPENED: reopened_steps,
    Rule.FIGURES: figures_after_decision,
}

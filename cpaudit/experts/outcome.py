"""The panel's result, derived from the scores (never stored here: the chain proposes it, the
organizer's leader confirms it).

The rule, configurable through the score sheet:
- `average` is the mean of the members' totals, rounded half up to one decimal (the figure printed);
- `vetoed` is true as soon as any member ticked any veto item;
- `passed` is None until every member of the current panel has scored; then False if vetoed, else
  True exactly when the printed average reaches the sheet's pass mark (average ≥ pass_mark: a 60.0
  average passes a 60 line). The printed figure is compared so that the page never shows an average
  at the line next to a failed result.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from .models import Panel, PanelMember, Score, ScoreItem, ScoreSheet

ONE_DECIMAL = Decimal("0.1")


@dataclass
class MemberResult:
    member: PanelMember
    score: Score | None
    vetoes: list[str] = field(default_factory=list)


@dataclass
class PanelOutcome:
    panel: Panel | None
    sheet: ScoreSheet | None
    members: list[MemberResult]
    scored: int
    average: Decimal | None
    vetoed: bool
    veto_items: list[str]
    passed: bool | None
    opinion: str

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def complete(self) -> bool:
        return bool(self.members) and self.scored == len(self.members)

    @property
    def pass_mark(self) -> Decimal | None:
        return self.sheet.pass_mark if self.sheet else None


def panel_outcome(application) -> PanelOutcome:
    """The current panel's outcome for `application` (empty when no panel was drawn). Three queries."""
    panel = (Panel.objects.filter(application_id=application.pk, is_current=True)
             .select_related("sheet", "drawn_by")
             .prefetch_related(Prefetch("members", PanelMember.objects.select_related("expert", "score")
                                        .order_by("order")))
             .first())
    if panel is None:
        return PanelOutcome(None, None, [], 0, None, False, [], None, "")
    return outcome_of(panel)


def outcome_of(panel: Panel, items: list[ScoreItem] | None = None) -> PanelOutcome:
    if items is None:
        items = list(ScoreItem.objects.filter(sheet_id=panel.sheet_id).order_by("order"))
    veto_text = {i.pk: i.text for i in items if i.is_veto}
    rows, totals, ticked = [], [], []
    for member in panel.members.all():
        score = member.score if _has_score(member) else None
        texts = [veto_text.get(pk, f"否决项{pk}") for pk in (score.vetoes if score else [])]
        rows.append(MemberResult(member, score, texts))
        if score is not None:
            totals.append(score.total)
            ticked += [t for t in texts if t not in ticked]
    average = (sum(totals, Decimal(0)) / len(totals)).quantize(ONE_DECIMAL, ROUND_HALF_UP) if totals else None
    vetoed = bool(ticked)
    passed = None
    if rows and len(totals) == len(rows):
        passed = False if vetoed else average >= panel.sheet.pass_mark
    return PanelOutcome(panel, panel.sheet, rows, len(totals), average, vetoed, ticked, passed, panel.opinion)


def _has_score(member) -> bool:
    # A reverse one-to-one raises when absent; select_related("score") has cached the answer.
    try:
        return member.score is not None
    except Score.DoesNotExist:
        return False

"""An enterprise's effective dates: the campaign's, moved by an approved extension (延期申请).

The one place lateness asks for a date. Everywhere a date is compared in SQL the expression is an
annotation (no extra query); in Python a row annotated `effective_due` needs none either:

- `due_expr(prefix)`: for a queryset of applications (or of anything with `<prefix>enrolment_id`,
  `<prefix>kind` and `<prefix>campaign`), the phase's date for that enrolment — the latest approved
  extension's date, else the campaign's deadline (applications.selectors.summary / is_late, the list's
  late filter, the results summaries, the scorecards);
- `effective_due(application)`: the same for one application (its annotation when present, else one
  query);
- `stage_extended_q(stage, day, prefix)`: on an enrolment queryset, whether an approved extension of
  the stage's time node runs past `day` (progress.selectors.dashboards.behind_q and the scorecards'
  behind-schedule counts follow it); `enrolment_targets` the same for one enterprise's timeline.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce

from .models import Extension, ExtensionStatus, Target


def _approved(**lookup):
    return Extension.objects.filter(status=ExtensionStatus.APPROVED, **lookup)


def due_expr(prefix: str = ""):
    """The phase's effective date of each row (an application by default)."""
    extended = _approved(enrolment_id=OuterRef(f"{prefix}enrolment_id"), target=OuterRef(f"{prefix}kind"))
    campaign = Case(When(**{f"{prefix}kind": Target.EVALUATION}, then=F(f"{prefix}campaign__evaluation_deadline")),
                    default=F(f"{prefix}campaign__acceptance_deadline"), output_field=DateField())
    latest = Subquery(extended.order_by("-requested_date").values("requested_date")[:1], output_field=DateField())
    return Coalesce(latest, campaign, output_field=DateField())


def campaign_due(campaign, kind: str) -> dt.date:
    return campaign.evaluation_deadline if kind == Target.EVALUATION else campaign.acceptance_deadline


def effective_due(application) -> dt.date:
    annotated = getattr(application, "effective_due", None)
    if annotated is not None:
        return annotated
    latest = (_approved(enrolment_id=application.enrolment_id, target=application.kind)
              .order_by("-requested_date").values_list("requested_date", flat=True).first())
    return latest or campaign_due(application.campaign, application.kind)


def stage_extended_q(stage: int, day: dt.date, prefix: str = "") -> Q:
    """An approved extension of the stage's time node reaching `day` or later (for enrolments)."""
    return Q(Exists(_approved(enrolment_id=OuterRef(f"{prefix}pk"), target=f"stage_{stage}",
                              requested_date__gte=day)))


def enrolment_targets(enrolment, targets: dict[int, dt.date]) -> dict[int, dt.date]:
    """The campaign's stage time nodes for one enterprise: an approved extension's date replaces the
    stage's node (one query; progress's timeline page)."""
    moved = dict(targets)
    for (_, target), day in extended_dates([enrolment.pk]).items():
        if target.startswith("stage_"):
            moved[int(target.removeprefix("stage_"))] = day
    return moved


def extended_dates(enrolment_ids) -> dict[tuple[int, str], dt.date]:
    """(enrolment, target) → approved date, for a page that shows them (one query)."""
    out: dict[tuple[int, str], dt.date] = {}
    for row in _approved(enrolment_id__in=list(enrolment_ids)).values("enrolment_id", "target", "requested_date"):
        key = (row["enrolment_id"], row["target"])
        out[key] = max(out.get(key, row["requested_date"]), row["requested_date"])
    return out

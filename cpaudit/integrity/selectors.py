"""Read paths of the intervention register. Visibility is `intervention_scope` (access._SCOPES points
here): the supervising level and the audit administrator, the recorder and the owner of the follow-up
— and never the person the entry names, whichever way the rows are reached (list, filters, detail,
the action log: `hide_log_entries`). A page costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cpaudit.core import clock

from .models import Intervention, InterventionState
from .supervision import visible_q


def intervention_scope(user, qs: QuerySet) -> QuerySet:
    if getattr(user, "is_system", False):
        return qs
    if getattr(user, "pk", None) is None:
        return qs.none()
    own = Q(recorded_by_id=user.pk) | Q(owner_id=user.pk)
    supervising = visible_q(user)
    q = own if supervising is None else own | supervising
    return qs.filter(q).exclude(named_user_id=user.pk)


def hide_log_entries(user, qs: QuerySet) -> QuerySet:
    """Action-log entries without those of the register that name `user` (an audit administrator can
    be named too)."""
    if getattr(user, "pk", None) is None:
        return qs
    # As a subquery on the indexed object_type: excluded directly, the JSON test ran on every row of
    # the log before the type's (1.1 s for a count over a million entries).
    return qs.exclude(seq__in=qs.model.objects.filter(object_type="integrity.intervention",
                                                      data__named_user=user.pk).values("seq"))


def interventions(user, filters: dict | None = None) -> QuerySet:
    """The entries `user` may see, filtered: kind, state ("overdue" = rectifying past its deadline),
    the enterprise's name, text in who / what."""
    filters = filters or {}
    qs = intervention_scope(user, Intervention.objects.all()).select_related(
        "enterprise", "supervising_agency", "owner", "recorded_by", "named_user")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    state = filters.get("state")
    if state == "overdue":
        qs = qs.filter(state=InterventionState.RECTIFYING, deadline__lt=clock.today())
    elif state:
        qs = qs.filter(state=state)
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(Q(intervener__contains=text) | Q(content__contains=text) | Q(enterprise__name__contains=text)
                       | Q(named_user__full_name__contains=text) | Q(named_user__username=text))
    return qs.order_by("-recorded_at", "-pk")


def counts(user) -> dict[str, int]:
    """Open, overdue and closed entries the user sees (one query)."""
    from django.db.models import Count

    today = clock.today()
    rows = intervention_scope(user, Intervention.objects.all()).aggregate(
        open=Count("pk", filter=~Q(state=InterventionState.CLOSED)),
        overdue=Count("pk", filter=Q(state=InterventionState.RECTIFYING, deadline__lt=today)),
        closed=Count("pk", filter=Q(state=InterventionState.CLOSED)))
    return rows


def owner_choices(item: Intervention):
    """Who can be made owner: active staff of the supervising agency or of the named person's agency."""
    from cpaudit.org.models import User
    from cpaudit.org.roles import GOVERNMENT_ROLES

    agencies = {item.supervising_agency_id, getattr(item.named_user, "agency_id", None)} - {None}
    return (User.objects.filter(agency_id__in=agencies, role__in=sorted(GOVERNMENT_ROLES), is_active=True)
            .exclude(pk=item.named_user_id).select_related("agency").order_by("agency_id", "role", "pk"))

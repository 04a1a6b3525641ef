"""Read paths of the expert pages: a fixed number of queries whatever the size of the pool."""

from django.db.models import Exists, OuterRef, Prefetch, Q

from cpaudit.integrity.models import Declaration
from cpaudit.org import access

from .models import Expert, Panel, PanelMember


def expert_list(user, filters: dict):
    qs = access.scope(user, Expert.objects.all()).select_related("user").prefetch_related("industries")
    qs = qs.annotate(declared=Exists(Declaration.objects.filter(expert_id=OuterRef("pk"), is_current=True)))
    if filters.get("q"):
        qs = qs.filter(Q(name__contains=filters["q"]) | Q(employer__contains=filters["q"]))
    if filters.get("speciality"):
        qs = qs.filter(**{filters["speciality"]: True})
    if filters.get("active") in ("0", "1"):
        qs = qs.filter(active=filters["active"] == "1")
    return qs.order_by("name", "pk")


def declarations_of(*, expert=None, user=None):
    subject = {"expert": expert} if expert is not None else {"user": user}
    return list(Declaration.objects.filter(**subject).select_related("declared_by")
                .prefetch_related("ties__enterprise", "ties__consulting_agency").order_by("-version"))


def my_tasks(user):
    """The expert's seats on current panels, newest first, with the application and its own score."""
    return (access.scope(user, PanelMember.objects.filter(expert__user_id=user.pk, panel__is_current=True))
            .select_related("panel__application__enrolment__enterprise", "panel__application__organizer", "score")
            .order_by("-panel__drawn_at"))


def panel_history(application):
    return list(Panel.objects.filter(application=application, is_current=False).select_related("drawn_by")
                .prefetch_related(Prefetch("members", PanelMember.objects.select_related("expert")))
                .order_by("-drawn_at"))

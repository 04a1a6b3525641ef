"""Notifications of hand-overs, and their reading.

`tell(users, text, link, key, subject)` puts an in-app message (reports.Notification) in each person's
inbox once per key. `subject` names the item as the action log names objects ("<app.model>:<pk>").
When someone acts on an item (an action-log entry about it), the unread messages about that item of
the person and of the colleagues at the same desk (same role and agency, or the same enterprise) are
marked read: their turn on it is over (`mark_done`, connected to the log in WorkbenchConfig.ready).
A progress step's entry also counts as acting on its enrolment.
"""

from __future__ import annotations

from django.db.models import Q

from cpaudit.core import clock


def subject_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}" if obj is not None and obj.pk else ""


def tell(users, text: str, *, link: str = "", key: str, subject: str = "") -> int:
    """An in-app message to each active user, once per key and user. Returns how many were new."""
    from cpaudit.reports.models import Notification

    made = 0
    for user in users:
        if not getattr(user, "is_active", True):
            continue
        _, created = Notification.objects.get_or_create(
            user=user, key=f"{key}:{user.pk}"[:120], defaults={"text": text[:300], "link": link, "subject": subject})
        made += created
    return made


def desk_q(actor) -> Q | None:
    """The people whose turn ended when `actor` acted: the actor and the same desk."""
    pk = getattr(actor, "pk", None)
    if pk is None or getattr(actor, "is_system", False):
        return None
    q = Q(user_id=pk)
    if getattr(actor, "agency_id", None):
        q |= Q(user__agency_id=actor.agency_id, user__role=actor.role)
    if getattr(actor, "enterprise_id", None):
        q |= Q(user__enterprise_id=actor.enterprise_id)
    return q


def subjects_of_entry(entry) -> list[str]:
    if not entry.object_type or not entry.object_id:
        return []
    subjects = [f"{entry.object_type}:{entry.object_id}"]
    data = entry.data if isinstance(entry.data, dict) else {}
    if entry.object_type == "progress.steprecord" and data.get("enrolment"):
        subjects.append(f"campaigns.enrolment:{data['enrolment']}")
    return subjects


def mark_done(entry) -> int:
    """The actor's (and desk's) unread messages about the entry's object are read now."""
    from cpaudit.reports.models import Notification

    if entry.actor_id is None:
        return 0
    subjects = subjects_of_entry(entry)
    if not subjects:
        return 0
    actor = entry.actor
    q = desk_q(actor)
    if q is None:
        return 0
    return Notification.objects.filter(q, subject__in=subjects, read_at__isnull=True).update(
        read_at=clock.server_now())


def on_log_entry(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw and instance.actor_id is not None:
        mark_done(instance)

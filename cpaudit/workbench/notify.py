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
    """The people whose turn ended when `actor` acted: the actor and the same desk (same role and agency;
    for an enterprise, its accounts and its consulting agency's)."""
    pk = getattr(actor, "pk", None)
    if pk is None or getattr(actor, "is_system", False):
        return None
    q = Q(user_id=pk)
    if getattr(actor, "agency_id", None):
        q |= Q(user__agency_id=actor.agency_id, user__role=actor.role)
    if getattr(actor, "role", None) in ("enterprise", "consultant"):
        # The enterprise's side of an item (its own accounts and its agency's, told alike): only they
        # were told about an item of that enterprise, the subject narrows it to the item.
        q |= Q(user__role__in=["enterprise", "consultant"])
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


# --- who is told -----------------------------------------------------------------------------------

def enterprise_people(enrolment):
    """The enterprise's own accounts and, when it engaged one, its consulting agency's."""
    from cpaudit.org.models import User

    q = Q(enterprise_id=enrolment.enterprise_id)
    if enrolment.consulting_agency_id:
        q |= Q(consulting_agency_id=enrolment.consulting_agency_id, role="consultant")
    return User.objects.filter(q, is_active=True).order_by("pk")


def branch_staff(county_id: str):
    from cpaudit.org.models import User
    from cpaudit.org.roles import BRANCH_AGENCY_KINDS, Role

    return User.objects.filter(role=Role.BRANCH_STAFF, agency__division_id=county_id,
                               agency__kind__in=BRANCH_AGENCY_KINDS, is_active=True).order_by("pk")


def step_handed_over(record, action: str, reason: str = "") -> None:
    """A step's hand-over (progress.services.steps): completed → the branch's staff; returned → the
    enterprise with the reason; the last step of a stage confirmed → the enterprise (stage passed)."""
    from django.urls import reverse

    from cpaudit.progress.models import ReviewStatus, StepRecord
    from cpaudit.progress.steps import stages

    enrolment = record.enrolment
    enterprise = enrolment.enterprise
    step_url = reverse("progress:step_edit", args=[enrolment.pk, record.step_id])
    if action == "completed":
        tell(branch_staff(enterprise.county_id), f"{enterprise.name}填报完成了审核步骤，待核实（第{record.step_id}步起）",
             link=reverse("workbench:section", args=["steps_pending"]) + f"?enterprise={enterprise.pk}",
             key=f"steps-pending:{enrolment.pk}:{clock.today():%Y%m%d}", subject=f"campaigns.enrolment:{enrolment.pk}")
    elif action == "returned":
        tell(enterprise_people(enrolment), f"第{record.step_id}步被分局退回：{reason}", link=step_url,
             key=f"step-returned:{record.pk}:{record.reviewed_at:%Y%m%d%H%M%S%f}", subject=subject_of(record))
    elif action == "confirmed":
        stage = next(s for s in stages() if any(step.number == record.step_id for step in s.steps))
        numbers = [step.number for step in stage.steps]
        confirmed = StepRecord.objects.filter(enrolment_id=enrolment.pk, step_id__in=numbers,
                                              review=ReviewStatus.CONFIRMED).count()
        if confirmed == len(numbers):
            tell(enterprise_people(enrolment), f"第{stage.number}阶段（{stage.name}）全部步骤已经分局核实",
                 link=reverse("progress:enrolment_progress", args=[enrolment.pk]),
                 key=f"stage-confirmed:{enrolment.pk}:{stage.number}")

"""The daily digest: once a day the worker counts each active person's pending work (the same
sections as the workbench) and unread notifications, keeps it as a `Digest`, and hands it to the
configured backend (CPAUDIT_NOTIFY_BACKEND: none, email, or a dotted path to a function
(user, subject, text) → bool, for an SMS gateway). Nothing pending: no digest."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from cpaudit.core import clock
from cpaudit.org.models import User

from . import selectors
from .models import Digest

log = logging.getLogger(__name__)
SUBJECT = "清洁生产审核管理平台：今日待办"


def compose(user) -> tuple[str, dict]:
    counts = {}
    lines = []
    for section in selectors.sections(user, limit=3):
        if not section.count:
            continue
        counts[section.key] = section.count
        lines.append(f"{section.title}：{section.count}项")
        lines += [f"  · {item.title}" for item in section.items]
    return "\n".join(lines), counts


def _backend():
    name = (settings.CPAUDIT_NOTIFY_BACKEND or "none").strip()
    if name in ("", "none"):
        return None
    if name == "email":
        return _email
    return import_string(name)


def _email(user, subject: str, text: str) -> bool:
    from django.core.mail import send_mail

    if not getattr(user, "email", ""):
        return False
    return bool(send_mail(subject, text, None, [user.email]))


def send_digests(*, today=None) -> int:
    """Prepare (once per person and day) and send the digests. Returns how many were prepared."""
    today = today or clock.today()
    backend = _backend()
    made = 0
    done = set(Digest.objects.filter(day=today).values_list("user_id", flat=True))
    for user in User.objects.filter(is_active=True).exclude(pk__in=done).select_related(
            "agency", "enterprise", "consulting_agency").order_by("pk"):
        text, counts = compose(user)
        if not counts:
            continue
        delivery = Digest.Delivery.INBOX
        if backend is not None:
            try:
                delivery = Digest.Delivery.SENT if backend(user, SUBJECT, text) else Digest.Delivery.INBOX
            except Exception:  # a gateway failure must not stop the others' digests
                log.exception("digest for %s not sent", user.pk)
                delivery = Digest.Delivery.FAILED
        with transaction.atomic():
            Digest.objects.get_or_create(user=user, day=today, defaults={
                "text": text, "counts": counts, "delivery": delivery})
        made += 1
    return made

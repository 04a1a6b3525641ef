"""Dormant accounts: government staff and administrators whose account has not been used for
CPAUDIT_DORMANT_DAYS (no login, and not opened or re-enabled since) are disabled by the worker once
a day, their sessions ended. Enterprises, consultants and experts act a few times a year: theirs stay.
Demo accounts in demo mode are exempt. The security administrator (or, for an enterprise account,
the branch) re-enables with a reason (accounts.account_enable).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from cpaudit.core import clock
from cpaudit.core.actors import SystemActor

from .. import policy
from ..models import User
from .accounts import _disable


def dormant_accounts(today: dt.date):
    bound = policy.dormancy_bound(today)
    unused = (Q(last_login__isnull=True) | Q(last_login__lt=bound)) & (
        Q(enabled_at__isnull=True) | Q(enabled_at__lt=bound)) & Q(date_joined__lt=bound)
    candidates = User.objects.filter(unused, is_active=True, role__in=sorted(policy.DORMANCY_ROLES))
    return [user for user in candidates.order_by("username") if not policy.exempt(user)]


def disable_dormant(*, today: dt.date | None = None, actor=None) -> list[str]:
    """Disable every dormant account (one transaction and one log entry each); their usernames."""
    today = today or clock.today()
    actor = actor or SystemActor("worker")
    days = settings.CPAUDIT_DORMANT_DAYS
    done = []
    for user in dormant_accounts(today):
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if not locked.is_active or policy.last_used_on(locked) > today - dt.timedelta(days=days):
                continue  # used or re-enabled in the meantime
            _disable(actor, locked, f"连续{days}天未使用，系统自动停用", "org.user.dormant_disabled")
            done.append(locked.username)
    return done

"""Authorization rows for the login steps and the security pages (collected by
tests/test_authorization_matrix.py).

From authority.md (§ Roles) and issue 11: unlocks and second-factor resets are the 安全管理员's, the
security log is read by the 审计管理员; every signed-in user may bind their own authenticator. The two
login steps belong to a session whose password was just accepted: a signed-in user is sent home (302).
"""

import datetime as dt

from django.utils import timezone

from cpaudit.org.roles import Role
from cpaudit.security.models import Lockout


def only(role, ok=200):
    return lambda r, rel: ok if r == role else 403


def lockout_kwargs(w, rel):
    now = timezone.now()
    lockout = Lockout.objects.create(kind=Lockout.Kind.ACCOUNT, key="someone", locked_at=now, failures=5,
                                     until=now + dt.timedelta(minutes=30))
    return {"pk": lockout.pk}


MATRIX = {
    "security:login_verify": (None, lambda r, rel: 302, "get"),
    "security:login_enrol": (None, lambda r, rel: 302, "get"),
    "security:otp_setup": (None, lambda r, rel: 200, "get"),
    "security:lockout_list": (None, only(Role.SECURITY_ADMIN), "get"),
    # An empty form: the page comes back (302) with a message; nothing is unlocked.
    "security:lockout_unlock": (lockout_kwargs, only(Role.SECURITY_ADMIN, 302), "post"),
    "security:otp_reset": (None, only(Role.SECURITY_ADMIN, 302), "post"),
    "security:event_list": (None, only(Role.AUDIT_ADMIN), "get"),
}

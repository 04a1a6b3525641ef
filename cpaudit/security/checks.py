"""Start-up checks of production: no demo account may exist where demo mode is off.

Run by Django's system checks (`cpaudit check --deploy`, migrate, runserver) and, because WSGI servers
run no system checks, by `StartupCheckMiddleware` when the application is loaded. A database without
the users' table yet (before the first migrate) has no demo account: the check passes.
"""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

DEMO_ACCOUNTS = "数据库中存在演示账号（{n} 个，例如 {names}）：生产环境拒绝启动。请删除这些账号后再启动。"


def demo_accounts_problem() -> str:
    """The refusal text, or "" when all is well (demo mode, or no demo account)."""
    if settings.CPAUDIT_DEMO_MODE:
        return ""
    from cpaudit.org.models import User

    try:
        names = list(User.objects.filter(is_demo=True).order_by("username").values_list("username", flat=True)[:3])
        count = User.objects.filter(is_demo=True).count() if names else 0
    except DatabaseError:  # no table yet (migrate is about to create it) or no database reachable
        return ""
    return DEMO_ACCOUNTS.format(n=count, names="、".join(names)) if names else ""


@checks.register(checks.Tags.security)
def no_demo_accounts(app_configs=None, **kwargs):
    problem = demo_accounts_problem()
    return [checks.Error(problem, id="cpaudit.E001")] if problem else []

"""Builders for the spot checks: inspectors (rows written directly, with a current declaration) and
plans through the service."""

import datetime as dt
import itertools

from django.utils import timezone

from cpaudit.org.roles import Role
from cpaudit.spotchecks import services
from cpaudit.spotchecks.models import Inspector

from ..factories import declare, make_user

_n = itertools.count(1)
TODAY = dt.date(2020, 9, 1)
CHECK_DAY = dt.date(2020, 9, 10)
ALL_COUNTIES = ["130602", "130606", "130682", "130102"]


def make_inspector(agency, *, role=Role.PROVINCE_STAFF, declared=True, ties=(), active=True):
    n = next(_n)
    user = make_user(f"insp{n}", role, agency=agency, full_name=f"检查员{n}")
    Inspector.objects.create(user=user, active=active, changed_by=user, changed_at=timezone.now())
    if declared:
        declare(user, ties=ties)
    return user


def plan_data(**overrides) -> dict:
    data = {"title": "2020年第一次双随机抽查", "counties": ALL_COUNTIES, "share_percent": "100",
            "per_enterprise": 2, "check_date": CHECK_DAY}
    data.update(overrides)
    return data


def make_plan(world, actor=None, **overrides):
    actor = actor or world.users[Role.PROVINCE_STAFF]
    return services.plan_save(actor=actor, campaign=world.campaign, data=plan_data(**overrides))

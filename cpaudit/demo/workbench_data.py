"""Demo logins for the journeys README names that the other demo modules leave without one: the
enterprises whose 评估/验收 application is back with them (returned, to fix and resubmit) or still a
draft (to submit) act through accounts without a usable password (applications_data.Cast); here each
gets a login with the shared demo password — ent_004 (returned) and ent_005 (draft) — through
org.services.user_create, as the branch opens an enterprise's account. Idempotent."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from cpaudit.applications.models import Application, Status
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.org.services import user_create

from . import data as demo

LOGINS = [("ent_004", Status.RETURNED), ("ent_005", Status.DRAFT)]


def load_workbench_logins(actor, campaign) -> int:
    created, hashed = 0, None
    for username, status in LOGINS:
        if User.objects.filter(username=username).exists():
            continue
        app = (Application.objects.filter(campaign=campaign, status=status).select_related("enrolment__enterprise")
               .order_by("pk").first())
        if app is None:
            continue
        enterprise = app.enrolment.enterprise
        hashed = hashed or make_password(demo.PASSWORD)
        user = User(username=username, full_name=enterprise.contact_person or "企业经办人", role=Role.ENTERPRISE,
                    is_demo=True, enterprise=enterprise)
        user_create(actor=actor, user=user, password=demo.PASSWORD, password_hash=hashed)
        created += 1
    return created

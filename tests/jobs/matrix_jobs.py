"""Authorization rows for the running-state page (collected by tests/test_authorization_matrix.py).

authority.md gives the platform's operation to the administrators: the 系统管理员 and the 安全管理员
see the workers, storage checks and incidents (no business data) and close incidents; nobody else."""

from cpaudit.core import clock
from cpaudit.jobs.models import Incident
from cpaudit.org.roles import Role

OPERATORS = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}


def operators(ok=200):
    return lambda role, rel: ok if role in OPERATORS else 403


def incident_kwargs(w, rel):
    now = clock.server_now()
    incident = Incident.objects.create(key="storage:files", title="矩阵测试", message="x", first_at=now, last_at=now)
    return {"pk": incident.pk}


MATRIX = {
    "jobs:status": (None, operators(), "get"),
    "jobs:incident_resolve": (incident_kwargs, operators(302), "post"),
}

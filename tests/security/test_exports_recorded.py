"""An export is a read (issue 11: "No GET changes data"): the action log export writes nothing to the
action log; it is recorded in the security log the audit administrator searches, with its filters."""

from django.urls import reverse

from cpaudit.core.models import ActionLog, LogHead
from cpaudit.org.roles import Role
from cpaudit.security import events
from cpaudit.security.models import SecurityEvent


def test_the_log_export_is_recorded_in_the_security_log_only(world, client):
    auditor = world.users[Role.AUDIT_ADMIN]
    client.force_login(auditor)
    logged, head = ActionLog.objects.count(), LogHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    response = client.get(reverse("log_export"), {"action": "registry"})
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith("\ufeff序号".encode())
    assert ActionLog.objects.count() == logged
    assert LogHead.objects.filter(pk=1).values_list("seq", flat=True).first() == head
    event = SecurityEvent.objects.get(kind="read.sensitive", detail__view="log_export")
    assert event.user == auditor and event.detail["filters"] == {"action": "registry"}
    assert event.path.startswith(reverse("log_export")) and "action=registry" in event.path


def test_what_a_view_notes_goes_into_the_recorded_read(rf, world):
    request = rf.get("/x/?a=1")
    request.user = world.users[Role.CITY_STAFF]
    events.note_read(request, rows=3)
    events.note_read(request, campaign="c2020")
    event = events.sensitive_read(request, "some:export", status=200)
    assert event.detail == {"rows": 3, "campaign": "c2020", "view": "some:export"}

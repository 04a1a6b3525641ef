"""The demo shows assessment with data: a scorecard month, one issued circular (verifies 有效, public),
one summons held with its commitments, one approved extension."""

import io

from django.core.management import call_command

from cpaudit.assessment.models import (
    Circular,
    CircularStatus,
    Extension,
    ExtensionStatus,
    Summons,
    SummonsStatus,
)
from cpaudit.documents.models import IssuedDocument
from cpaudit.documents.selectors import issued_bytes
from cpaudit.documents.verify import verify_bytes

DEMO_TODAY = "2026-11-29"  # tests/demo/conftest.py loads the demo once, on this day


def test_demo_assessment(demo_once, db, settings):
    settings.CPAUDIT_TODAY = DEMO_TODAY
    circular = Circular.objects.get()
    assert circular.status == CircularStatus.ISSUED and circular.for_public and circular.number
    assert circular.figures["month"] == "2026-10" and circular.figures["rows"] and circular.figures["lagging"]
    docs = IssuedDocument.objects.filter(kind="circular", object_id=circular.pk)
    assert {d.format for d in docs} == {"pdf", "docx"}
    assert all(verify_bytes(issued_bytes(d)).valid for d in docs)
    summons = Summons.objects.get()
    assert summons.status == SummonsStatus.HELD and summons.commitments.count() == 2
    assert summons.summoned.name in {r[0] for r in circular.figures["rows"]} or summons.circular_id == circular.pk
    extension = Extension.objects.get()
    assert extension.status == ExtensionStatus.APPROVED and extension.requested_date > extension.original_date
    call_command("load-demo", "--allow-non-sqlite", stdout=io.StringIO())  # idempotent
    assert Circular.objects.count() == Summons.objects.count() == Extension.objects.count() == 1

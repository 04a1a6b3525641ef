"""Two leaders issuing the same letter at once: one issue, the other told it was issued. Real row
locks: PostgreSQL only (SQLite serializes whole transactions; the race cannot happen there)."""

import pytest
from django.db import connection

from cpaudit.documents.application_documents import batch_letter_issue
from cpaudit.documents.models import IssuedDocument
from cpaudit.org.roles import Role

from ..applications.docfixtures import make_batch
from ..applications.test_concurrency import _race
from ..factories import make_seal_keys, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_leaders_issue_the_same_letter(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serializes transactions; CI runs this on PostgreSQL)")
    make_seal_keys(world.branch_a)
    second = make_user("blead2", Role.BRANCH_LEADER, agency=world.branch_a)
    batch = make_batch(world)
    results = _race([lambda: batch_letter_issue(actor=world.users[Role.BRANCH_LEADER], batch=batch),
                     lambda: batch_letter_issue(actor=second, batch=batch)])
    assert sorted(r == "ok" for r in results) == [False, True]
    loser = next(r for r in results if r != "ok")
    assert loser.code == "already_issued" and "已签发" in loser.message
    assert IssuedDocument.objects.filter(object_id=batch.pk).count() == 2  # PDF and Word, once

"""Two people deciding the same application at once: exactly one wins, the other is told it was
already decided. Real concurrency needs real row locks: PostgreSQL only (SQLite serializes whole
transactions, so the race cannot happen there and the test would prove nothing)."""

import threading

import pytest
from django.db import connection, connections

from cpaudit.applications import services
from cpaudit.applications.models import Application, Decision, Outcome, Status, Step
from cpaudit.core.errors import DomainError
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from tests.factories import declare, make_user

# serialized_rollback: the flush after a transactional test would drop the divisions and industries
# that migrations load; the next test needs them back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            call()
            results[i] = "ok"
        except DomainError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serializes transactions; CI runs this on PostgreSQL)")


def test_two_branch_staff_review_the_same_application(postgres_only, chain, submitted, world):
    second = make_user("bstaff2", Role.BRANCH_STAFF, agency=world.branch_a)
    declare(second)  # a decision needs a current declaration of interest: both may decide, one wins
    checks = {"materials_complete": True, "facts_true": True}

    def agree(user, outcome):
        return lambda: services.application_decide(actor=user, application=submitted, step=Step.BRANCH_REVIEW,
                                                   outcome=outcome, opinion="意见", checks=checks)

    results = _race([agree(world.users[Role.BRANCH_STAFF], Outcome.AGREE), agree(second, Outcome.RETURN)])
    assert sorted(r == "ok" for r in results) == [False, True]
    loser = next(r for r in results if r != "ok")
    assert loser.code == "wrong_state" and "他人处理" in loser.message
    assert Decision.objects.filter(application=submitted).count() == 1
    assert ActionLog.objects.filter(action="applications.application.branch_review").count() == 1


def test_two_leaders_batch_the_same_application(postgres_only, chain, submitted, world):
    app = chain.to(submitted, Status.BRANCH_BATCH)
    second = make_user("blead2", Role.BRANCH_LEADER, agency=world.branch_a)
    declare(second)

    def batch(user):
        return lambda: services.batch_submit(actor=user, campaign=world.campaign, kind=app.kind, applications=[app])

    results = _race([batch(world.users[Role.BRANCH_LEADER]), batch(second)])
    assert sorted(r == "ok" for r in results) == [False, True]
    assert Application.objects.get(pk=app.pk).status == Status.CITY_REVIEW
    assert ActionLog.objects.filter(action="applications.batch.submitted").count() == 1

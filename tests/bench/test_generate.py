"""The generator: deterministic from its seed, and the log chain it extends stays valid (tiny N)."""

import datetime as dt
import hashlib

from django.db import transaction

from cpaudit.bench.generate import grow
from cpaudit.campaigns.models import Enrolment
from cpaudit.core.actors import SystemActor
from cpaudit.core.checkpoint import chain_problems
from cpaudit.core.log import log_action
from cpaudit.core.models import ActionLog
from cpaudit.progress.models import EnrolmentProgress, Option, StepRecord
from cpaudit.registry.models import Enterprise

TODAY = dt.date(2020, 11, 15)


def _fingerprint() -> str:
    rows = [
        sorted(Enterprise.objects.values_list("uscc", "name", "county_id", "industry_id")),
        sorted(Enrolment.objects.values_list("enterprise__uscc", "campaign__slug", "mode", "start_date")),
        sorted(StepRecord.objects.values_list("enrolment__enterprise__uscc", "step_id", "status", "start_date",
                                              "completion_date", "review")),
        sorted(Option.objects.values_list("enrolment__enterprise__uscc", "name", "status", "investment")),
        list(ActionLog.objects.order_by("seq").values_list("seq", "digest")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _grown(seed: int) -> tuple[str, dict]:
    with transaction.atomic():
        counts = grow(60, seed=seed, today=TODAY)
        assert chain_problems()[0].ok and not chain_problems()[1]
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint, counts


def test_same_seed_same_data_and_the_chain_stays_valid(world):
    with transaction.atomic():
        log_action(actor=SystemActor("pytest"), action="registry.enterprise.created", object_type="registry.enterprise",
                   object_id="1", object_repr="模板")
    enterprises, entries = Enterprise.objects.count(), ActionLog.objects.count()
    first, counts = _grown(15)
    again, _ = _grown(15)
    other, _ = _grown(16)
    assert first == again
    assert first != other
    assert counts["企业"] == 60 - enterprises
    assert counts["操作日志"] == 60 * 20 - entries


def test_grown_data_has_every_stage_and_a_summary_per_enrolment(world):
    with transaction.atomic():
        log_action(actor=SystemActor("pytest"), action="registry.enterprise.created", object_type="registry.enterprise",
                   object_id="1", object_repr="模板")
    grow(200, seed=15, today=TODAY)
    assert Enterprise.objects.count() == 200
    reached = set(EnrolmentProgress.objects.values_list("reached_stage", flat=True))
    assert {1, 4, 7} <= reached
    assert Option.objects.exists()
    assert ActionLog.objects.count() == 200 * 20
    report, problems = chain_problems()
    assert report.ok and report.checked == 200 * 20 and not problems

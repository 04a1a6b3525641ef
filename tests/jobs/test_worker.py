from django.db import transaction

from cpaudit.core.actors import SystemActor
from cpaudit.core.checkpoint import default_checkpoint_path, read_checkpoints
from cpaudit.core.log import log_action
from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog
from cpaudit.jobs.management.commands.worker import Command


def _entries(n):
    with transaction.atomic():
        for i in range(n):
            log_action(actor=SystemActor("t"), action="test.thing.done", object_repr=f"x{i}")


def test_daily_checkpoint_records_an_intact_head(db):
    _entries(3)
    path = default_checkpoint_path()
    before = len(read_checkpoints(path)) if path.exists() else 0
    Command().daily_checkpoint()
    points = read_checkpoints(path)
    assert len(points) == before + 1 and points[-1]["seq"] == 3


def test_daily_checkpoint_refuses_a_broken_chain(db, capsys):
    _entries(3)
    with allow_log_reset():
        ActionLog.objects.filter(seq=2).update(object_repr="改过")
    path = default_checkpoint_path()
    before = len(read_checkpoints(path)) if path.exists() else 0
    Command().daily_checkpoint()
    after = len(read_checkpoints(path)) if path.exists() else 0
    assert after == before

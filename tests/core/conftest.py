import pytest
from django.db import transaction

from cpaudit.core.log import log_action
from cpaudit.core.models import ActionLog


@pytest.fixture
def add_entries(system_actor):
    """add_entries(n, **log_action kwargs) → the n new entries, each written as its own business action."""

    def _add(n: int = 1, *, actor=None, action: str = "test.thing.done", **kwargs) -> list[ActionLog]:
        entries = []
        for i in range(n):
            with transaction.atomic():
                entries.append(log_action(actor=actor or system_actor, action=action,
                                          **{"object_repr": f"对象{i}", **kwargs}))
        return entries

    return _add

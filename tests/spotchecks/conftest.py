import pytest

from .helpers import TODAY


@pytest.fixture(autouse=True)
def _today(settings):
    """The business day of these tests: before the plans' check date (helpers.CHECK_DAY)."""
    settings.CPAUDIT_TODAY = TODAY.isoformat()

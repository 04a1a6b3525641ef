import datetime as dt

from cpaudit.core import clock


def test_pinned_by_settings(settings):
    settings.CPAUDIT_TODAY = "2020-07-21"
    assert clock.today() == dt.date(2020, 7, 21)


def test_frozen_context_wins_and_restores(settings):
    settings.CPAUDIT_TODAY = None
    real = clock.today()
    with clock.frozen(dt.date(2020, 2, 29)):
        assert clock.today() == dt.date(2020, 2, 29)
    assert clock.today() == real

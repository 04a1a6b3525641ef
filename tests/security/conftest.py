import datetime as dt

import pytest
from django.utils import timezone

from cpaudit.core import clock


class FrozenClock:
    """cpaudit.core.clock's server time, pinned and moved by hand (login counters, sessions)."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr(clock, "server_now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch):
    return FrozenClock(monkeypatch, timezone.now().replace(microsecond=0))


@pytest.fixture
def login_post(client):
    """POST the login page from a given client address."""

    def _post(username, password, ip="10.0.0.1", **extra):
        return client.post("/login/", {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)

    return _post

import pytest

from cpaudit.core.actors import SystemActor

from .factories import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def system_actor():
    return SystemActor("pytest")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login

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


def pytest_collection_modifyitems(config, items):
    """A transactional test must restore the database it flushes (serialized_rollback): the flush drops
    the divisions and industries the data migrations load, and re-creates the content types, so one
    transactional test without it breaks the serialized ones that run after it ("UNIQUE constraint
    failed: django_content_type…" at their setup) and every later test that needs the codes."""
    offenders = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = (marker is not None and marker.kwargs.get("transaction")) or \
            "transactional_db" in getattr(item, "fixturenames", ()) or "live_server" in getattr(item, "fixturenames", ())
        if not transactional:
            continue
        serialized = (marker is not None and marker.kwargs.get("serialized_rollback")) or \
            "django_db_serialized_rollback" in getattr(item, "fixturenames", ())
        if not serialized:
            offenders.append(item.nodeid)
    if offenders:
        raise pytest.UsageError("事务型测试须设 serialized_rollback=True：\n" + "\n".join(offenders))

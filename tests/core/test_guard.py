"""The database itself refuses UPDATE and DELETE on the action log (triggers, SQLite and PostgreSQL),
and TRUNCATE on PostgreSQL. Only allow_log_reset lifts the refusal, and only where settings allow it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(add_entries):
    return add_entries(1)[0]


def test_queryset_update_is_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionLog.objects.filter(seq=entry.seq).update(object_repr="篡改")
    assert ActionLog.objects.get(seq=entry.seq).object_repr == entry.object_repr


def test_queryset_delete_is_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionLog.objects.filter(seq=entry.seq).delete()
    assert ActionLog.objects.filter(seq=entry.seq).exists()


def test_model_save_of_an_existing_entry_is_refused(entry):
    entry.object_repr = "篡改"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save(update_fields=["object_repr"])
    assert ActionLog.objects.get(seq=entry.seq).object_repr != "篡改"


def test_raw_sql_update_is_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_actionlog SET object_repr = %s WHERE seq = %s", ["篡改", entry.seq])
    assert ActionLog.objects.get(seq=entry.seq).object_repr == entry.object_repr


def test_raw_sql_delete_is_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_actionlog")
    assert ActionLog.objects.filter(seq=entry.seq).exists()


def test_truncate_is_refused_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE statement (its DELETE guard is tested above)")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_actionlog")
    assert ActionLog.objects.filter(seq=entry.seq).exists()


def test_allow_log_reset_lifts_the_refusal_in_tests(entry):
    with allow_log_reset():
        ActionLog.objects.filter(seq=entry.seq).update(object_repr="测试库重置")
    assert ActionLog.objects.get(seq=entry.seq).object_repr == "测试库重置"


def test_refusal_returns_after_allow_log_reset(entry):
    with allow_log_reset():
        pass
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionLog.objects.filter(seq=entry.seq).delete()


def test_allow_log_reset_refuses_when_settings_forbid(settings):
    settings.CPAUDIT_LOG_RESET_ALLOWED = False
    with pytest.raises(ImproperlyConfigured), allow_log_reset():
        pass


def test_switch_alone_does_not_lift_the_refusal_when_settings_forbid(entry, settings):
    """Even with the thread-local switch on (as inside allow_log_reset), the SQLite guard function
    answers 0 once settings forbid resets; PostgreSQL's switch is only set by allow_log_reset."""
    from cpaudit.core import logreset

    settings.CPAUDIT_LOG_RESET_ALLOWED = False
    logreset._state.on = True
    try:
        assert logreset.reset_allowed_now() == 0
        with pytest.raises(DatabaseError), transaction.atomic():
            ActionLog.objects.filter(seq=entry.seq).update(object_repr="篡改")
    finally:
        logreset._state.on = False


@pytest.mark.django_db
def test_postgresql_switch_only_works_in_test_databases():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only: SQLite's switch is a function the application registers")
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'core_actionlog_refuse'")
        (source,) = cursor.fetchone()
    assert "current_database() LIKE 'test\\_%'" in source

"""The storage error page (cpaudit.core.storage, the project's handler500): a read-only database or
an unwritable directory is a 503 in Chinese saying nothing was saved; any other error stays a plain 500.
The unwritable evidence directory through its page: tests/progress/test_storage_failures.py."""

import errno

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry.models import Enterprise
from tests.factories import make_uscc


@pytest.fixture
def read_only_database(transactional_db, django_db_serialized_rollback):
    """Call it to make the database refuse every write from then on: SQLite reopened read-only
    (mode=ro), PostgreSQL with default_transaction_read_only. Undone at the end, before the test
    database is flushed (transactional: the requests must commit, as in production)."""
    name = connection.settings_dict["NAME"]

    def switch():
        if connection.vendor == "sqlite":
            connection.close()
            connection.settings_dict["NAME"] = f"file:{name}?mode=ro"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")

    yield switch
    if connection.vendor == "sqlite":
        connection.close()
        connection.settings_dict["NAME"] = name
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")


def signed_in(world, role=Role.BRANCH_STAFF) -> Client:
    client = Client(raise_request_exception=False)  # as a browser sees it: Django's error handling runs
    client.force_login(world.users[role])  # before the switch: logging in writes the session
    return client


def test_a_read_only_database_refuses_a_submission_with_503_and_saves_nothing(world, read_only_database):
    client = signed_in(world)
    before = (Enterprise.objects.count(), ActionLog.objects.count())
    read_only_database()
    with connection.cursor() as cursor:
        assert_refuses_writes(cursor)
    response = client.post(reverse("registry:enterprise_create"), {
        "name": "只读时登记的企业有限公司", "uscc": make_uscc(prefix="91130602"), "county": "130602", "address": "地址",
        "legal_representative": "甲", "industry_code": "2221", "management_level": "other"})
    html = response.content.decode()
    assert response.status_code == 503, html[:300]
    assert "数据库暂时无法写入或无法连接" in html and "本次提交的内容没有保存" in html
    assert (Enterprise.objects.count(), ActionLog.objects.count()) == before


def test_a_read_only_database_answers_a_page_with_503_not_a_session_error(world, read_only_database):
    """Every signed-in request refreshes its session; Django reports a session it could not save as a 400
    (SessionInterrupted), which the database's refusal turns into the 503."""
    client = signed_in(world)
    read_only_database()
    response = client.get(reverse("registry:enterprise_list"))
    assert response.status_code == 503 and "数据库暂时无法写入或无法连接" in response.content.decode()


def assert_refuses_writes(cursor):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError):
        cursor.execute("UPDATE registry_enterprise SET name = name WHERE id = -1")


def test_other_errors_stay_a_plain_500(world, monkeypatch):
    from cpaudit.core import views

    def broken(*args, **kwargs):
        raise KeyError("程序错误")

    monkeypatch.setattr(views, "render", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.get(reverse("home"))
    assert response.status_code == 500 and "系统错误" in response.content.decode()


@pytest.mark.parametrize("error,reason", [
    (OSError(errno.ENOSPC, "No space left on device"), "存储空间已满"),
    (PermissionError(errno.EACCES, "Permission denied"), "文件存储目录不可写"),
    (OSError(errno.EROFS, "Read-only file system"), "文件存储目录不可写"),
    (OSError(errno.EIO, "Input/output error"), "文件存储暂时不可用"),
])
def test_each_file_failure_is_named(world, monkeypatch, error, reason):
    from cpaudit.core import views

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(views, "render", failing)
    client = Client(raise_request_exception=False)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 503 and reason in html
    assert "本次提交的内容没有保存" not in html  # a GET submitted nothing

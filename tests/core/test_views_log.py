"""The audit administrator's log search page and CSV export."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.core.log import log_action
from cpaudit.org.roles import Role

pytestmark = pytest.mark.django_db

ROLES = list(Role)


@pytest.fixture
def auditor(world, client):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    return client


def listed_seqs(response) -> list[int]:
    return [row["entry"].seq for row in response.context["rows"]]


def export_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def write(actor, action, *, obj=None, at=None, monkeypatch=None, **kwargs):
    if at is not None:
        monkeypatch.setattr(clock, "server_now", lambda: at)
    with transaction.atomic():
        return log_action(actor=actor, action=action, obj=obj, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_audit_admin_opens_the_log_page(world, client, role):
    client.force_login(world.users[role])
    response = client.get(reverse("log_list"))
    assert response.status_code == (200 if role == Role.AUDIT_ADMIN else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_audit_admin_exports_the_log(world, client, role):
    client.force_login(world.users[role])
    response = client.get(reverse("log_export"))
    assert response.status_code == (200 if role == Role.AUDIT_ADMIN else 403)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("log_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_lists_newest_first(auditor, add_entries):
    entries = add_entries(3)
    response = auditor.get(reverse("log_list"), {"action": "test"})
    assert listed_seqs(response) == [e.seq for e in reversed(entries)]


def test_page_shows_human_text_role_agency_ip_and_digest_prefix(auditor, world):
    staff = world.users[Role.BRANCH_STAFF]
    entry = write(staff, "registry.enterprise.updated", obj=world.enterprises["own"],
                  changes={"contact_person": ["李四", "王五"]})
    html = auditor.get(reverse("log_list")).content.decode()
    assert "修改企业信息「自有测试企业有限公司」：联系人 李四 → 王五" in html
    assert "分局经办" in html and "保定市生态环境局竞秀区分局" in html
    assert entry.digest[:12] in html


def test_action_filter_matches_by_prefix(auditor, world, add_entries):
    staff = world.users[Role.BRANCH_STAFF]
    updated = write(staff, "registry.enterprise.updated", obj=world.enterprises["own"])
    created = write(staff, "registry.enterprise.created", obj=world.enterprises["same_county"])
    write(staff, "registry.consultingagency.updated", obj=world.consulting)
    add_entries(2)
    response = auditor.get(reverse("log_list"), {"action": "registry.enterprise"})
    assert listed_seqs(response) == [created.seq, updated.seq]


def test_action_filter_with_a_full_code_matches_that_code(auditor, world):
    staff = world.users[Role.BRANCH_STAFF]
    updated = write(staff, "registry.enterprise.updated", obj=world.enterprises["own"])
    write(staff, "registry.enterprise.created", obj=world.enterprises["own"])
    response = auditor.get(reverse("log_list"), {"action": "registry.enterprise.updated"})
    assert listed_seqs(response) == [updated.seq]


def test_actor_filter_matches_username_or_full_name(auditor, world, add_entries):
    staff = world.users[Role.BRANCH_STAFF]
    staff.full_name = "张经办"
    staff.save(update_fields=["full_name"])
    mine = write(staff, "test.thing.done")
    add_entries(2)
    by_username = listed_seqs(auditor.get(reverse("log_list"), {"actor": "bsta"}))
    by_name = listed_seqs(auditor.get(reverse("log_list"), {"actor": "张经"}))
    assert by_username == by_name == [mine.seq]


def test_object_filter_matches_type_and_name(auditor, world, add_entries):
    staff = world.users[Role.BRANCH_STAFF]
    own = write(staff, "registry.enterprise.updated", obj=world.enterprises["own"])
    write(staff, "registry.enterprise.updated", obj=world.enterprises["same_county"])
    write(staff, "registry.consultingagency.updated", obj=world.consulting)
    add_entries(1, object_repr="自有测试企业的其它记录")
    response = auditor.get(reverse("log_list"), {"object_type": "registry.enterprise", "object": "自有测试"})
    assert listed_seqs(response) == [own.seq]


def test_object_filter_matches_the_object_id(auditor, world):
    staff = world.users[Role.BRANCH_STAFF]
    own = write(staff, "registry.enterprise.updated", obj=world.enterprises["own"])
    write(staff, "registry.enterprise.updated", obj=world.enterprises["same_county"])
    response = auditor.get(reverse("log_list"), {"object_type": "registry.enterprise",
                                                 "object": str(world.enterprises["own"].pk)})
    assert listed_seqs(response) == [own.seq]


def test_date_range_is_in_beijing_time(auditor, world, monkeypatch):
    staff = world.users[Role.BRANCH_STAFF]
    # 2020-07-21 23:30 and 2020-07-22 00:30 in Beijing (15:30 and 16:30 UTC)
    late = write(staff, "test.thing.done", at=dt.datetime(2020, 7, 21, 15, 30, tzinfo=dt.UTC),
                 monkeypatch=monkeypatch)
    next_day = write(staff, "test.thing.done", at=dt.datetime(2020, 7, 21, 16, 30, tzinfo=dt.UTC),
                     monkeypatch=monkeypatch)

    def on(day: str) -> list[int]:
        return listed_seqs(auditor.get(reverse("log_list"), {"date_from": day, "date_to": day}))

    on_21, on_22 = on("2020-07-21"), on("2020-07-22")
    assert (on_21, on_22) == ([late.seq], [next_day.seq])


def test_reversed_date_range_is_an_error_with_no_results(auditor, add_entries):
    add_entries(2)
    response = auditor.get(reverse("log_list"), {"date_from": "2020-07-22", "date_to": "2020-07-21"})
    assert response.context["form"].errors["date_to"]
    assert listed_seqs(response) == []


def test_unregistered_action_code_can_still_be_searched(auditor, add_entries):
    add_entries(2)
    (odd,) = add_entries(1, action="plugin.widget.frobbed")
    response = auditor.get(reverse("log_list"), {"action": "plugin.widget.frobbed"})
    assert listed_seqs(response) == [odd.seq]


def test_page_holds_fifty_entries(auditor, add_entries):
    add_entries(60)
    response = auditor.get(reverse("log_list"))
    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.num_pages == 2


def test_page_query_count_does_not_grow_with_entries(auditor, world, add_entries):
    staff = world.users[Role.BRANCH_STAFF]

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert auditor.get(reverse("log_list")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(5):
        write(staff, "registry.enterprise.updated", obj=world.enterprises["own"],
              changes={"contact_person": ["李四", "王五"]})
    page_queries()  # warm-up (session, caches)
    with_5 = page_queries()
    for _ in range(195):
        write(staff, "registry.enterprise.updated", obj=world.enterprises["own"],
              changes={"contact_person": ["李四", "王五"]})
    with_200 = page_queries()
    assert with_5 == with_200


def test_export_is_utf8_csv_with_bom(auditor, add_entries):
    add_entries(2)
    response = auditor.get(reverse("log_export"))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith("\ufeff序号".encode())


def test_export_neutralizes_formula_cells(auditor, add_entries):
    add_entries(1, object_repr='=HYPERLINK("http://evil.example","点我")')
    add_entries(1, object_repr="@SUM(A1)")
    rows = export_rows(auditor.get(reverse("log_export"), {"action": "test"}))
    column = rows[0].index("对象")
    reprs = {row[column] for row in rows[1:]}
    assert reprs == {"'=HYPERLINK(\"http://evil.example\",\"点我\")", "'@SUM(A1)"}


def test_export_follows_the_filters(auditor, world, add_entries):
    staff = world.users[Role.BRANCH_STAFF]
    updated = write(staff, "registry.enterprise.updated", obj=world.enterprises["own"])
    add_entries(3)
    rows = export_rows(auditor.get(reverse("log_export"), {"action": "registry.enterprise"}))
    assert [row[0] for row in rows[1:]] == [str(updated.seq)]


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_extreme_dates_get_a_message_not_a_server_error(world, client, params):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    response = client.get(reverse("log_list"), params)
    assert response.status_code == 200 and "日期应在2000年至2100年之间" in response.content.decode()

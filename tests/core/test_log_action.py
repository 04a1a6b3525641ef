"""Business actions write their entry in the same transaction; logins, logouts and failed logins too."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from cpaudit.core import log as core_log
from cpaudit.core.chain import entry_digest
from cpaudit.core.log import log_action
from cpaudit.core.models import ActionLog, LogHead
from cpaudit.org.roles import Role
from cpaudit.registry.models import Enterprise
from cpaudit.registry.services import enterprise_update
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def new_entries(after_seq: int):
    return list(ActionLog.objects.filter(seq__gt=after_seq).order_by("seq"))


def last_seq() -> int:
    return ActionLog.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def staff(world):
    return world.users[Role.BRANCH_STAFF]


@pytest.fixture
def enterprise(world):
    return world.enterprises["own"]


def test_service_writes_exactly_one_entry(staff, enterprise):
    before = last_seq()
    enterprise_update(actor=staff, enterprise=enterprise, data={"contact_person": "王五"})
    entries = new_entries(before)
    assert [e.action for e in entries] == ["registry.enterprise.updated"]


def test_entry_holds_old_and_new_values_of_changed_fields_only(staff, enterprise):
    Enterprise.objects.filter(pk=enterprise.pk).update(contact_person="李四",
                                                       registered_capital=Decimal("100"))
    before = last_seq()
    data = {"contact_person": "王五", "registered_capital": Decimal("200"), "address": enterprise.address}
    enterprise_update(actor=staff, enterprise=enterprise, data=data)
    (entry,) = new_entries(before)
    assert entry.changes["contact_person"] == ["李四", "王五"]
    assert [Decimal(v) for v in entry.changes["registered_capital"]] == [Decimal("100"), Decimal("200")]
    assert set(entry.changes) == {"contact_person", "registered_capital"}


def test_entry_names_the_object(staff, enterprise):
    before = last_seq()
    enterprise_update(actor=staff, enterprise=enterprise, data={"contact_person": "王五"})
    (entry,) = new_entries(before)
    assert (entry.object_type, entry.object_id, entry.object_repr) == (
        "registry.enterprise", str(enterprise.pk), enterprise.name)


def test_entry_freezes_actor_name_role_and_agency(staff, enterprise):
    before = last_seq()
    enterprise_update(actor=staff, enterprise=enterprise, data={"contact_person": "王五"})
    (entry,) = new_entries(before)
    assert entry.actor_id == staff.pk
    assert (entry.actor_name, entry.actor_role, entry.actor_agency) == (
        "bstaff", "branch_staff", "保定市生态环境局竞秀区分局")


def test_entry_is_chained_and_its_digest_matches_its_content(staff, enterprise):
    before = last_seq()
    enterprise_update(actor=staff, enterprise=enterprise, data={"contact_person": "王五"})
    (entry,) = new_entries(before)
    assert entry.digest == entry_digest(entry)
    previous = ActionLog.objects.filter(seq=entry.seq - 1).values_list("digest", flat=True).first()
    assert entry.prev_digest == (previous or "0" * 64)


def test_seq_is_gap_free_and_increments(system_actor):
    start = last_seq()
    seqs = []
    for i in range(4):
        with transaction.atomic():
            seqs.append(log_action(actor=system_actor, action="test.thing.done", object_repr=f"对象{i}").seq)
    assert seqs == [start + 1, start + 2, start + 3, start + 4]


def test_head_follows_the_last_entry(system_actor):
    with transaction.atomic():
        entry = log_action(actor=system_actor, action="test.thing.done")
    head = LogHead.objects.get(pk=1)
    assert (head.seq, head.digest) == (entry.seq, entry.digest)


def test_failed_digest_rolls_the_business_change_back(staff, enterprise, monkeypatch):
    original = Enterprise.objects.get(pk=enterprise.pk).contact_person
    before = last_seq()

    def broken(entry):
        raise RuntimeError("摘要计算失败")

    monkeypatch.setattr(core_log, "entry_digest", broken)
    with pytest.raises(RuntimeError):
        enterprise_update(actor=staff, enterprise=enterprise, data={"contact_person": "王五"})
    assert Enterprise.objects.get(pk=enterprise.pk).contact_person == original
    assert new_entries(before) == []


def test_failed_insert_rolls_the_business_change_back(staff, enterprise, monkeypatch):
    original = Enterprise.objects.get(pk=enterprise.pk).contact_person

    def broken(self, *args, **kwargs):
        raise DatabaseError("日志写入失败")

    monkeypatch.setattr(ActionLog, "save", broken)
    with pytest.raises(DatabaseError):
        enterprise_update(actor=staff, enterprise=enterprise, data={"contact_person": "王五"})
    assert Enterprise.objects.get(pk=enterprise.pk).contact_person == original


def test_login_writes_an_entry(client, staff):
    before = last_seq()
    response = client.post(reverse("login"), {"username": "bstaff", "password": PASSWORD})
    assert response.status_code == 302
    entries = [e for e in new_entries(before) if e.action.startswith("auth.")]
    assert [(e.action, e.actor_id) for e in entries] == [("auth.login", staff.pk)]
    assert entries[0].ip == "127.0.0.1"


def test_failed_login_writes_an_entry_naming_the_username(client, staff):
    before = last_seq()
    response = client.post(reverse("login"), {"username": "bstaff", "password": "wrong-password-1"})
    assert response.status_code == 200
    (entry,) = new_entries(before)
    assert (entry.action, entry.actor_id, entry.object_repr) == ("auth.login_failed", None, "bstaff")
    assert entry.data["username"] == "bstaff"
    assert "password" not in entry.data


def test_logout_writes_an_entry(client, staff):
    client.force_login(staff)
    before = last_seq()
    client.post(reverse("logout"))
    entries = new_entries(before)
    assert [(e.action, e.actor_id) for e in entries] == [("auth.logout", staff.pk)]

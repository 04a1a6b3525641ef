import pytest
from django.urls import reverse

from cpaudit.integrity.models import Declaration
from cpaudit.org.roles import Role

from ..experts.helpers import make_expert

pytestmark = pytest.mark.django_db


def _post(client, url, rows, note="", confirm=True):
    data = {"ties-TOTAL_FORMS": str(max(len(rows), 1)), "ties-INITIAL_FORMS": "0", "note": note}
    if confirm:
        data["confirm"] = "on"
    for n, row in enumerate(rows):
        data.update({f"ties-{n}-{k}": v for k, v in row.items()})
    return client.post(url, data)


def test_staff_declares_own_ties_by_code(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("integrity:my_declaration")
    base = Declaration.objects.get(user=world.users[Role.BRANCH_STAFF], is_current=True).version
    response = _post(client, url, [{"kind": "family", "code": world.enterprises["own"].uscc, "detail": "配偶任职"}])
    assert response.status_code == 302
    declaration = Declaration.objects.get(user=world.users[Role.BRANCH_STAFF], is_current=True)
    assert declaration.ties.get().enterprise == world.enterprises["own"]
    html = client.get(url).content.decode()
    assert "配偶任职" in html and world.enterprises["own"].uscc in html  # pre-filled for the next version
    assert _post(client, url, []).status_code == 302  # an empty declaration: 无利益关系
    assert Declaration.objects.get(user=world.users[Role.BRANCH_STAFF], is_current=True).version == base + 2


def test_unknown_code_and_missing_promise_are_errors(world, client):
    client.force_login(world.users[Role.CITY_LEADER])
    url = reverse("integrity:my_declaration")
    before = Declaration.objects.count()
    response = _post(client, url, [{"kind": "family", "code": "91110000000000000X"}])
    assert response.status_code == 200 and "未在企业名录或咨询机构名录中登记" in response.content.decode()
    assert _post(client, url, [], confirm=False).status_code == 200
    assert Declaration.objects.count() == before


def test_expert_declares_own_record_and_keeper_records(world, client):
    expert = make_expert(environment=True, user=world.users[Role.EXPERT])
    client.force_login(world.users[Role.EXPERT])
    assert _post(client, reverse("integrity:my_declaration"),
                 [{"kind": "consulting", "code": world.consulting.uscc}]).status_code == 302
    own = Declaration.objects.get(expert=expert, is_current=True)
    assert own.ties.get().consulting_agency == world.consulting
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("integrity:expert_declaration", args=[expert.pk])
    assert _post(client, url, [], note="经核实已解除合同").status_code == 302
    current = Declaration.objects.get(expert=expert, is_current=True)
    assert current.version == own.version + 1 and current.declared_by == world.users[Role.CITY_STAFF]
    html = client.get(reverse("experts:expert_detail", args=[expert.pk])).content.decode()
    assert "经核实已解除合同" in html and "第1版" in html


def test_expert_account_without_record_is_told(world, client):
    client.force_login(world.users[Role.EXPERT])
    url = reverse("integrity:my_declaration")
    before = Declaration.objects.count()
    assert "尚未关联" in client.get(url).content.decode()
    response = _post(client, url, [])
    assert response.status_code == 200 and Declaration.objects.count() == before

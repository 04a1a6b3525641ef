"""The intervention register (干预登记): anyone records; the supervising level and the audit administrator
see it; 立即整改 with an owner, a deadline and an outcome, to closure; and the person it names never
sees it — not in the list, not through its filters, not on the entry's page, not in the action log."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.integrity import interventions as services
from cpaudit.integrity.models import Intervention, InterventionState
from cpaudit.integrity.selectors import intervention_scope
from cpaudit.org.roles import Role

from ..factories import make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2020, 7, 28)


@pytest.fixture(autouse=True)
def today(settings):
    settings.CPAUDIT_TODAY = TODAY.isoformat()


def _record(world, recorder, named=None, **over):
    args = {"kind": "greeting", "occurred_on": TODAY, "intervener": "某局某科室张某",
            "content": "电话要求对某企业的评估申请“关照一下”", "enterprise": world.enterprises["own"],
            "named_user": named, **over}
    return services.intervention_record(actor=recorder, **args)


def _sees(user, item) -> bool:
    return intervention_scope(user, Intervention.objects.filter(pk=item.pk)).exists()


def test_an_enterprise_records_a_branch_official_the_city_and_the_audit_admin_see_it(world):
    u = world.users
    item = _record(world, u[Role.ENTERPRISE], named=u[Role.BRANCH_STAFF])
    assert item.supervising_agency == world.baoding and not item.leaders_only
    entry = ActionLog.objects.get(action="integrity.intervention.recorded")
    assert entry.data["named_user"] == u[Role.BRANCH_STAFF].pk and entry.object_repr == f"干预登记第{item.pk}号"
    assert u[Role.CITY_LEADER].notifications.filter(text__contains="干预登记").exists()
    visible = {role for role, user in u.items() if _sees(user, item)}
    # The recorder, the city (the branch's supervisor) and the audit admin; not the named person, not
    # their own branch colleagues, not the province (two levels up), not other admins.
    assert visible == {Role.ENTERPRISE, Role.CITY_STAFF, Role.CITY_LEADER, Role.AUDIT_ADMIN}


def test_province_staff_named_only_the_province_leaders_see_it(world):
    u = world.users
    item = _record(world, u[Role.CITY_STAFF], named=u[Role.PROVINCE_STAFF])
    assert item.supervising_agency == world.province and item.leaders_only
    visible = {role for role, user in u.items() if _sees(user, item)}
    assert visible == {Role.CITY_STAFF, Role.PROVINCE_LEADER, Role.AUDIT_ADMIN}


def test_an_enterprise_user_named_is_followed_by_its_branch(world):
    u = world.users
    item = _record(world, u[Role.BRANCH_STAFF], named=u[Role.ENTERPRISE], kind="favour")
    assert item.supervising_agency == world.branch_a
    assert _sees(u[Role.BRANCH_LEADER], item) and not _sees(u[Role.ENTERPRISE], item)


def test_nobody_names_themselves_and_the_form_is_checked(world):
    u = world.users
    with pytest.raises(ValidationError) as exc:
        _record(world, u[Role.BRANCH_STAFF], named=u[Role.BRANCH_STAFF], content="", occurred_on=None)
    assert {"named_user", "content", "occurred_on"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        _record(world, u[Role.BRANCH_STAFF], occurred_on=TODAY + dt.timedelta(days=1))
    assert not Intervention.objects.exists() and not ActionLog.objects.filter(action__startswith="integrity").exists()


def test_follow_up_to_closure_by_the_supervising_leader_and_the_owner(world):
    u = world.users
    item = _record(world, u[Role.ENTERPRISE], named=u[Role.BRANCH_STAFF])
    deadline = TODAY + dt.timedelta(days=10)
    for actor in (u[Role.CITY_STAFF], u[Role.BRANCH_LEADER], u[Role.PROVINCE_LEADER]):  # not the city's leader
        with pytest.raises(PermissionDenied):
            services.intervention_follow_up(actor=actor, item=item, owner=u[Role.CITY_STAFF], deadline=deadline,
                                            requirement="约谈并说明情况")
    with pytest.raises(ValidationError) as exc:
        services.intervention_follow_up(actor=u[Role.CITY_LEADER], item=item, owner=u[Role.BRANCH_STAFF],
                                        deadline=TODAY - dt.timedelta(days=1), requirement="")
    assert {"owner", "deadline", "requirement"} <= set(exc.value.message_dict)
    item = services.intervention_follow_up(actor=u[Role.CITY_LEADER], item=item, owner=u[Role.BRANCH_LEADER],
                                           deadline=deadline, requirement="约谈并说明情况")
    assert item.state == InterventionState.RECTIFYING and _sees(u[Role.BRANCH_LEADER], item)
    with pytest.raises(PermissionDenied):
        services.intervention_close(actor=u[Role.CITY_STAFF], item=item, outcome="已约谈")
    item = services.intervention_close(actor=u[Role.BRANCH_LEADER], item=item, outcome="已约谈，当事人作出书面说明")
    assert item.state == InterventionState.CLOSED and item.closed_by == u[Role.BRANCH_LEADER]
    with pytest.raises(InvalidState):
        services.intervention_close(actor=u[Role.CITY_LEADER], item=item, outcome="再次办结")
    codes = list(ActionLog.objects.filter(action__startswith="integrity.intervention").order_by("seq")
                 .values_list("action", flat=True))
    assert codes == ["integrity.intervention.recorded", "integrity.intervention.follow_up_set",
                     "integrity.intervention.closed"]
    assert all(e.data["named_user"] == u[Role.BRANCH_STAFF].pk
               for e in ActionLog.objects.filter(action__startswith="integrity.intervention"))


def test_overdue_follow_ups_are_listed(world, client, settings):
    u = world.users
    item = _record(world, u[Role.ENTERPRISE], named=u[Role.BRANCH_STAFF])
    services.intervention_follow_up(actor=u[Role.CITY_LEADER], item=item, owner=u[Role.CITY_STAFF],
                                    deadline=TODAY + dt.timedelta(days=3), requirement="核实")
    settings.CPAUDIT_TODAY = (TODAY + dt.timedelta(days=4)).isoformat()
    client.force_login(u[Role.CITY_LEADER])
    html = client.get(reverse("integrity:intervention_list"), {"state": "overdue"}).content.decode()
    assert f"第{item.pk}号" in html and "逾期" in html


def test_the_named_person_sees_it_nowhere(world, client):
    u = world.users
    named = u[Role.BRANCH_STAFF]
    item = _record(world, u[Role.ENTERPRISE], named=named)
    services.intervention_follow_up(actor=u[Role.CITY_LEADER], item=item, owner=u[Role.CITY_STAFF],
                                    deadline=TODAY + dt.timedelta(days=3), requirement="核实")
    client.force_login(named)
    listing = reverse("integrity:intervention_list")
    link = reverse("integrity:intervention_detail", args=[item.pk])
    for query in ({}, {"q": named.full_name}, {"q": named.username}, {"q": "张某"}, {"kind": "greeting"},
                  {"state": "rectifying"}, {"state": "overdue"}):
        html = client.get(listing, query).content.decode()
        assert link not in html and "某局某科室" not in html, query
    client.force_login(u[Role.CITY_LEADER])  # the same filters do find it for the supervising level
    assert link in client.get(listing, {"q": named.username}).content.decode()
    client.force_login(named)
    for name in ("integrity:intervention_detail", "integrity:intervention_follow_up", "integrity:intervention_close"):
        assert client.get(reverse(name, args=[item.pk])).status_code == 404
    # An audit administrator named in an entry: the log pages hide its entries from them, not from others.
    auditor, other = u[Role.AUDIT_ADMIN], make_user("auditadmin2", Role.AUDIT_ADMIN)
    about_auditor = _record(world, u[Role.CITY_STAFF], named=auditor, content="要求删除某条日志")
    client.force_login(auditor)
    assert client.get(reverse("integrity:intervention_detail", args=[about_auditor.pk])).status_code == 404
    log = client.get(reverse("log_list"), {"object_type": "integrity.intervention"}).content.decode()
    assert f"干预登记第{about_auditor.pk}号" not in log and f"干预登记第{item.pk}号" in log
    export = b"".join(client.get(reverse("log_export")).streaming_content).decode("utf-8-sig")
    assert f"干预登记第{about_auditor.pk}号" not in export and f"干预登记第{item.pk}号" in export
    client.force_login(other)
    assert f"干预登记第{about_auditor.pk}号" in client.get(reverse("log_list")).content.decode()


def test_pages_record_and_follow_up(world, client):
    u = world.users
    client.force_login(u[Role.CONSULTANT])
    response = client.post(reverse("integrity:intervention_create"), {
        "kind": "extortion", "occurred_on": "2020-07-20", "intervener": "某分局工作人员",
        "named_user": u[Role.BRANCH_STAFF].pk, "content": "暗示请吃饭后再核实步骤",
        "enterprise_code": world.enterprises["own"].uscc, "application_kind": ""})
    assert response.status_code == 302
    item = Intervention.objects.get()
    assert item.recorded_by == u[Role.CONSULTANT] and item.enterprise == world.enterprises["own"]
    client.force_login(u[Role.CITY_LEADER])
    page = client.get(reverse("integrity:intervention_detail", args=[item.pk])).content.decode()
    assert "部署整改" in page
    response = client.post(reverse("integrity:intervention_follow_up", args=[item.pk]), {
        "owner": u[Role.CITY_STAFF].pk, "deadline": "2020-08-10", "requirement": "调查核实"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner == u[Role.CITY_STAFF] and item.state == InterventionState.RECTIFYING
    client.force_login(u[Role.CITY_STAFF])
    response = client.post(reverse("integrity:intervention_close", args=[item.pk]), {"outcome": "经核实，已批评教育"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == InterventionState.CLOSED

"""The city's part in reviews it does not organize: 省管 "市局协助实施" recorded; for a branch-organized
review "必要时…给予协调" requested by the branch and recorded by the city."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cpaudit.applications import services
from cpaudit.applications.models import Assistance, Status
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry.models import ManagementLevel
from tests.factories import make_user

from .conftest import reload


def test_a_provincial_review_asks_the_city_to_assist_and_the_city_records_it(chain, eligible, world):
    eligible.enterprise.management_level = ManagementLevel.PROVINCIAL
    eligible.enterprise.save()
    app = chain.to(chain.submit(chain.start(eligible)), Status.ORGANIZING)
    item = Assistance.objects.get(application=app)
    assert item.kind == Assistance.Kind.ASSIST and item.state == Assistance.State.REQUESTED
    assert item.agency == world.baoding
    assert world.users[Role.CITY_STAFF].notifications.filter(text__contains="协助").exists()
    with pytest.raises(PermissionDenied):
        services.assistance_record(actor=make_user("sjz_c", Role.CITY_STAFF, agency=world.sjz), assistance=item,
                                   participants="某某", work="参加评审会", work_date=dt.date(2020, 7, 20))
    with pytest.raises(ValidationError) as exc:
        services.assistance_record(actor=world.users[Role.CITY_STAFF], assistance=item, participants="",
                                   work="", work_date=None)
    assert set(exc.value.message_dict) == {"participants", "work", "work_date"}
    services.assistance_record(actor=world.users[Role.CITY_STAFF], assistance=item, participants="王科长、李工",
                               work="参加省厅组织的评估现场核查和专家评审会", work_date=dt.date(2020, 7, 20))
    item.refresh_from_db()
    assert item.state == Assistance.State.RECORDED and item.recorded_by == world.users[Role.CITY_STAFF]
    assert ActionLog.objects.filter(action="applications.assistance.recorded").count() == 1
    with pytest.raises(InvalidState):
        services.assistance_record(actor=world.users[Role.CITY_STAFF], assistance=item, participants="x",
                                   work="y", work_date=dt.date(2020, 7, 20))


def test_the_organizing_branch_may_request_coordination(chain, submitted, world):
    app = chain.to(submitted, Status.ORGANIZING)
    assert app.organizer == world.branch_a and not Assistance.objects.exists()
    with pytest.raises(PermissionDenied):
        services.assistance_request(actor=make_user("lc_staff", Role.BRANCH_STAFF, agency=world.branch_b),
                                    application=app, request="请协调专家")
    with pytest.raises(ValidationError):
        services.assistance_request(actor=world.users[Role.BRANCH_STAFF], application=app, request=" ")
    item = services.assistance_request(actor=world.users[Role.BRANCH_STAFF], application=app,
                                       request="请协调市级专家参加评审")
    assert item.kind == Assistance.Kind.COORDINATION and item.agency == world.baoding
    with pytest.raises(InvalidState):
        services.assistance_request(actor=world.users[Role.BRANCH_STAFF], application=app, request="再次请求")
    services.assistance_record(actor=world.users[Role.CITY_STAFF], assistance=item, participants="张工",
                               work="协调两名市级专家参加评审", work_date=dt.date(2020, 7, 27))
    assert reload(app).status == Status.ORGANIZING  # the chain does not wait for it


def test_coordination_only_while_the_review_is_organized(chain, submitted, world):
    with pytest.raises(InvalidState):
        services.assistance_request(actor=world.users[Role.BRANCH_STAFF], application=submitted, request="请协调")
    assert not Assistance.objects.exists()


def test_the_page_offers_the_city_its_record_form(client, chain, eligible, world):
    eligible.enterprise.management_level = ManagementLevel.PROVINCIAL
    eligible.enterprise.save()
    app = chain.to(chain.submit(chain.start(eligible)), Status.ORGANIZING)
    client.force_login(world.users[Role.CITY_STAFF])
    page = client.get(f"/applications/{app.pk}/")
    assert page.context["assistance_record_form"] is not None and "协助实施（省管企业）" in page.content.decode()
    item = Assistance.objects.get()
    response = client.post(f"/applications/assistance/{item.pk}/record/", {
        "participants": "王科长", "work": "参加现场核查", "work_date": "2020-07-25"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == Assistance.State.RECORDED

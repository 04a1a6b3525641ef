"""事前有防: no decision without a current declaration of interest (require_current_declaration), and
the banner that tells each government user and expert where they stand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cpaudit.core.actors import SystemActor
from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.experts import services as experts
from cpaudit.experts.models import Panel, Score, ScoreItem
from cpaudit.integrity.models import Declaration
from cpaudit.integrity.requirements import (
    CURRENT,
    DUE,
    EXPIRED,
    MISSING,
    declaration_status,
    require_current_declaration,
)
from cpaudit.integrity.services import declaration_submit
from cpaudit.org.roles import Role

from ..experts.helpers import make_pool, organizing, put_on_panel
from ..factories import declare

pytestmark = pytest.mark.django_db

MISSING_TEXT = "您尚未填报利益关系申报（或已超过一年未更新），请先在“利益关系申报”中填报，再办理"


def _expire(subject, days=366):
    declare(subject, declared_at=timezone.now() - dt.timedelta(days=days))


def _scores(panel):
    items = ScoreItem.objects.filter(sheet=panel.sheet, is_veto=False)
    return {i.pk: i.max_points for i in items}


@pytest.fixture
def app(world):
    return organizing(world)


def test_every_government_role_and_expert_needs_one_others_pass(world):
    for role, user in world.users.items():
        status = declaration_status(user)
        if role in (Role.ENTERPRISE, Role.CONSULTANT, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
            assert status is None
            require_current_declaration(user, "测试")  # passes
        elif role == Role.EXPERT:
            assert status.no_expert  # the world's expert account has no record in the pool yet
        else:
            assert status.state == CURRENT  # the world declared for its officials
    require_current_declaration(SystemActor("pytest"), "测试")


def test_staff_without_a_declaration_cannot_draw_a_panel(world, app):
    staff = world.users[Role.BRANCH_STAFF]
    make_pool(env=2, ind=2, other=2)
    Declaration.objects.filter(user=staff).delete()
    with pytest.raises(PermissionDenied) as exc:
        experts.panel_draw(actor=staff, application=app)
    assert exc.value.message == MISSING_TEXT + "抽取专家组"
    assert not Panel.objects.exists() and not ActionLog.objects.filter(action__startswith="experts.panel").exists()
    declaration_submit(actor=staff, ties=[])
    assert experts.panel_draw(actor=staff, application=app).members.count() == 3


def test_staff_with_an_expired_declaration_cannot_draw_a_panel(world, app):
    staff = world.users[Role.BRANCH_STAFF]
    make_pool(env=2, ind=2, other=2)
    _expire(staff)
    with pytest.raises(PermissionDenied) as exc:
        experts.panel_draw(actor=staff, application=app)
    assert exc.value.message.startswith(MISSING_TEXT + "抽取专家组") and "已于" in exc.value.message
    assert not Panel.objects.exists()


def test_a_declaration_just_inside_the_year_still_counts(world, app):
    staff = world.users[Role.BRANCH_STAFF]
    make_pool(env=2, ind=2, other=2)
    _expire(staff, days=364)
    assert declaration_status(staff).state == DUE
    assert experts.panel_draw(actor=staff, application=app)


def test_expert_without_a_declaration_cannot_score(world, app):
    panel = put_on_panel(app, make_pool(env=1, ind=1, other=1), world.users[Role.BRANCH_STAFF])
    member = panel.members.select_related("expert__user").first()
    Declaration.objects.filter(expert=member.expert).delete()
    with pytest.raises(PermissionDenied) as exc:
        experts.score_submit(actor=member.expert.user, member=member, points=_scores(panel), vetoes=[])
    assert exc.value.message == MISSING_TEXT + "专家评分"
    assert not Score.objects.exists() and not ActionLog.objects.filter(action__startswith="experts.score").exists()
    declaration_submit(actor=member.expert.user, ties=[])  # the expert files it, then scores
    assert experts.score_submit(actor=member.expert.user, member=member, points=_scores(panel),
                                vetoes=[]).total == Decimal(100)


def test_expert_with_an_expired_declaration_cannot_score(world, app):
    panel = put_on_panel(app, make_pool(env=1, ind=1, other=1), world.users[Role.BRANCH_STAFF])
    member = panel.members.select_related("expert__user").first()
    _expire(member.expert)
    with pytest.raises(PermissionDenied) as exc:
        experts.score_submit(actor=member.expert.user, member=member, points=_scores(panel), vetoes=[])
    assert exc.value.message.startswith(MISSING_TEXT + "专家评分")
    # A keeper recording a renewal for the expert counts as the expert's current declaration.
    declaration_submit(actor=world.users[Role.CITY_STAFF], expert=member.expert, ties=[])
    assert experts.score_submit(actor=member.expert.user, member=member, points=_scores(panel), vetoes=[])


def test_the_period_is_a_setting(world, settings):
    staff = world.users[Role.CITY_STAFF]
    _expire(staff, days=40)
    assert declaration_status(staff).state == CURRENT
    settings.CPAUDIT_DECLARATION_VALID_DAYS = 30
    assert declaration_status(staff).state == EXPIRED
    with pytest.raises(PermissionDenied) as exc:
        require_current_declaration(staff, "审核")
    assert "已超过30天未更新" in exc.value.message


def test_banner_on_every_page_when_missing_due_or_expired(world, client):
    staff = world.users[Role.BRANCH_LEADER]
    client.force_login(staff)
    assert "declaration-banner" not in client.get(reverse("home")).content.decode()
    Declaration.objects.filter(user=staff).delete()
    assert declaration_status(staff).state == MISSING
    html = client.get(reverse("home")).content.decode()
    assert "您尚未填报利益关系申报" in html and reverse("integrity:my_declaration") in html
    _expire(staff, days=350)
    html = client.get(reverse("registry:enterprise_list")).content.decode()
    assert "到期（还有" in html
    _expire(staff, days=400)
    assert "已于" in client.get(reverse("home")).content.decode()
    client.force_login(world.users[Role.ENTERPRISE])
    assert "declaration-banner" not in client.get(reverse("home")).content.decode()


def test_the_declaration_page_says_until_when(world, client):
    staff = world.users[Role.CITY_STAFF]
    client.force_login(staff)
    html = client.get(reverse("integrity:my_declaration")).content.decode()
    assert "有效期至" in html and "现行申报为第1版" in html
    Declaration.objects.filter(user=staff).delete()
    assert "尚未申报" in client.get(reverse("integrity:my_declaration")).content.decode()

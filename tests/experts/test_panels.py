"""The panel draw service: rights, state, recusal, replay and verification, redraw."""

import pytest

from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.experts import services
from cpaudit.experts.models import Expert, Panel, Score
from cpaudit.integrity.models import TieKind
from cpaudit.integrity.services import declaration_submit
from cpaudit.org.roles import Role

from .helpers import make_expert, make_pool, organizing

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(world):
    return organizing(world)


@pytest.fixture
def staff(world):
    return world.users[Role.BRANCH_STAFF]


def _members(panel):
    return list(panel.members.order_by("order").values_list("expert_id", flat=True))


def test_draw_honours_the_rule_and_is_recorded(world, app, staff):
    pool = make_pool(env=3, ind=3, other=4)
    panel = services.panel_draw(actor=staff, application=app, size=5, min_environment=2, min_industry=2,
                                reason="规模较大，增加专家")
    members = list(panel.members.select_related("expert").order_by("order"))
    assert len(members) == 5 and members[0].is_leader and not any(m.is_leader for m in members[1:])
    assert sum(m.expert.environment for m in members) >= 2 and sum(m.expert.industry for m in members) >= 2
    assert panel.rule == {"size": 5, "min_environment": 2, "min_industry": 2, "algorithm": "rejection-sample-v1"}
    assert panel.eligible_ids == sorted(e.pk for e in pool) and len(panel.seed) == 32
    assert panel.sheet.campaign_id is None and panel.sheet.kind == "evaluation"
    entry = ActionLog.objects.get(action="experts.panel.drawn")
    assert entry.data["seed"] == panel.seed and entry.data["members"] == _members(panel)
    assert entry.data["eligible_digest"] == panel.eligible_digest and entry.data["eligible_ids"] == panel.eligible_ids


def test_campaign_defaults_apply(world, app, staff):
    make_pool(env=2, ind=2, other=2)
    panel = services.panel_draw(actor=staff, application=app)
    assert panel.rule == {"size": 3, "min_environment": 1, "min_industry": 1, "algorithm": "rejection-sample-v1"}


def test_replay_and_verify(world, app, staff):
    make_pool(env=3, ind=3, other=3)
    panel = services.panel_draw(actor=staff, application=app)
    assert services.panel_replay(panel) == _members(panel)
    assert services.panel_verify(panel)
    # Later changes to the pool do not change what the stored draw replays to.
    Expert.objects.update(active=False, environment=False)
    panel.refresh_from_db()
    assert services.panel_verify(panel)
    Panel.objects.filter(pk=panel.pk).update(eligible_ids=panel.eligible_ids[1:])
    panel.refresh_from_db()
    assert not services.panel_verify(panel)


def test_conflicted_expert_is_never_drawn(world, app, staff):
    experts = make_pool(env=2, ind=2, other=0)
    tied = experts[0]
    declaration_submit(actor=world.users[Role.PROVINCE_STAFF], expert=tied,
                       ties=[{"kind": TieKind.CONSULTING, "consulting_agency_id": world.consulting.pk}])
    inactive = make_expert(environment=True, active=False)
    seen = set()
    for n in range(40):
        panel = services.panel_draw(actor=staff, application=app, reason=f"复核回避第{n}次" if n else "")
        seen.update(_members(panel))
        assert panel.excluded == [{"id": tied.pk, "reason": panel.excluded[0]["reason"]}]
        assert "咨询机构" in panel.excluded[0]["reason"]
    assert tied.pk not in seen and inactive.pk not in seen
    assert seen == {e.pk for e in experts[1:]}
    assert Panel.objects.filter(application=app, is_current=True).count() == 1
    assert Panel.objects.filter(application=app).count() == 40


def test_not_enough_experts(world, app, staff):
    make_pool(env=1, ind=1, other=0)
    with pytest.raises(InvalidState) as exc:
        services.panel_draw(actor=staff, application=app)
    assert exc.value.code == "not_enough_experts" and "3名" in exc.value.message and "2名" in exc.value.message
    assert not Panel.objects.exists() and not ActionLog.objects.filter(action__startswith="experts").exists()


def test_redraw_supersedes_then_is_refused_after_a_score(world, app, staff):
    make_pool(env=2, ind=2, other=2)
    first = services.panel_draw(actor=staff, application=app)
    second = services.panel_draw(actor=staff, application=app, reason="专家因故不能参会")
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert ActionLog.objects.get(action="experts.panel.redrawn").data["superseded_panel"] == first.pk
    assert second.reason == "专家因故不能参会"
    with pytest.raises(InvalidState) as exc:  # a redraw without a reason
        services.panel_draw(actor=staff, application=app)
    assert exc.value.code == "reason_required"
    # A member recuses after another scored: the panel is redrawn with a reason, the score stays with it.
    member = second.members.first()
    score = Score.objects.create(member=member, points={}, vetoes=[], total=0, submitted_at=second.drawn_at)
    third = services.panel_draw(actor=staff, application=app, reason="专家申报回避")
    second.refresh_from_db()
    assert third.is_current and not second.is_current and Score.objects.get(pk=score.pk).member.panel == second


def test_a_rule_other_than_the_campaigns_needs_a_reason(world, app, staff):
    make_pool(env=3, ind=3, other=3)
    with pytest.raises(InvalidState) as exc:
        services.panel_draw(actor=staff, application=app, size=3, min_environment=0, min_industry=0)
    assert exc.value.code == "reason_required" and not Panel.objects.exists()
    panel = services.panel_draw(actor=staff, application=app, size=5, reason="项目复杂，增加专家")
    assert panel.rule["size"] == 5 and panel.reason == "项目复杂，增加专家"


def test_verify_detects_a_row_edited_with_a_matching_digest(world, app, staff):
    make_pool(env=3, ind=3, other=3)
    panel = services.panel_draw(actor=staff, application=app)
    assert services.panel_verify(panel)
    ids = [i for i in panel.eligible_ids if i not in _members(panel)][:1] + _members(panel)
    pools = panel.eligible_pools
    from cpaudit.experts import draw as D

    forged = D.Pool.build(ids, pools["environment"], pools["industry"])
    Panel.objects.filter(pk=panel.pk).update(eligible_ids=list(forged.eligible), eligible_digest=forged.digest())
    panel.refresh_from_db()
    assert not services.panel_verify(panel)


def _refused(world, app, actor, error):
    make_pool(env=2, ind=2, other=2)
    before = ActionLog.objects.count()
    with pytest.raises(error):
        services.panel_draw(actor=actor, application=app)
    assert not Panel.objects.exists() and ActionLog.objects.count() == before


@pytest.mark.parametrize("status", ["province_approval", "result_pending", "passed", "draft"])
def test_wrong_state_refused(world, staff, status):
    _refused(world, organizing(world, status=status), staff, InvalidState)


def test_wrong_agency_refused(world, staff):
    # Same county, same role, but the city organizes this one.
    _refused(world, organizing(world, organizer=world.baoding), staff, PermissionDenied)


@pytest.mark.parametrize("role", [Role.BRANCH_LEADER, Role.ENTERPRISE, Role.EXPERT, Role.CONSULTANT,
                                  Role.SYSTEM_ADMIN])
def test_wrong_role_refused(world, app, role):
    _refused(world, app, world.users[role], PermissionDenied)


def test_outside_jurisdiction_refused(world):
    app = organizing(world, "other_county", organizer=world.branch_a)  # a misrouted organizer
    _refused(world, app, world.users[Role.BRANCH_STAFF], PermissionDenied)


def test_conflicted_staff_must_recuse(world, app, staff):
    declaration_submit(actor=staff, ties=[{"kind": TieKind.FAMILY, "enterprise_id": world.enterprises["own"].pk}])
    _refused(world, app, staff, PermissionDenied)


def test_meeting_saved_by_organizer(world, app, staff):
    import datetime as dt

    make_pool(env=2, ind=2, other=2)
    panel = services.panel_draw(actor=staff, application=app)
    services.panel_meeting_save(actor=staff, panel=panel, meeting_date=dt.date(2020, 9, 1),
                                meeting_place="竞秀区分局会议室", opinion="审核过程规范，同意通过评估。")
    entry = ActionLog.objects.get(action="experts.panel.meeting_saved")
    assert entry.changes["meeting_place"] == ["", "竞秀区分局会议室"]
    with pytest.raises(PermissionDenied):
        services.panel_meeting_save(actor=world.users[Role.CITY_STAFF], panel=panel, meeting_date=dt.date(2020, 9, 1),
                                    meeting_place="x", opinion="")

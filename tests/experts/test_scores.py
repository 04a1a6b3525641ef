"""Scoring by the members, and the derived outcome."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cpaudit.applications.models import Application
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.experts import services
from cpaudit.experts.models import ScoreItem
from cpaudit.integrity.models import TieKind
from cpaudit.integrity.services import declaration_submit
from cpaudit.org.roles import Role

from .helpers import make_pool, organizing, put_on_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(world):
    return organizing(world)


@pytest.fixture
def panel(world, app):
    return put_on_panel(app, make_pool(env=1, ind=1, other=1), world.users[Role.BRANCH_STAFF])


def _items(panel):
    items = list(ScoreItem.objects.filter(sheet=panel.sheet).order_by("order"))
    return [i for i in items if not i.is_veto], [i for i in items if i.is_veto]


def _points_for(panel, total):
    """Points reaching exactly `total` (filled item by item)."""
    scored, _ = _items(panel)
    left, points = Decimal(total), {}
    for item in scored:
        points[item.pk] = min(item.max_points, left)
        left -= points[item.pk]
    return points


def _submit(member, total, vetoes=(), opinion="同意"):
    return services.score_submit(actor=member.expert.user, member=member, points=_points_for(member.panel, total),
                                 vetoes=list(vetoes), opinion=opinion)


def test_default_sheets_sum_to_100():
    from cpaudit.experts.models import ScoreSheet

    for sheet in ScoreSheet.objects.filter(campaign=None):
        items = list(sheet.items.all())
        assert sum(i.max_points for i in items if not i.is_veto) == 100
        assert 1 <= sum(i.is_veto for i in items) <= 3 and sheet.pass_mark == 60


def test_score_total_and_log(panel):
    member = panel.members.first()
    score = _submit(member, Decimal("85.5"))
    assert score.total == Decimal("85.5") and score.vetoes == []
    entry = ActionLog.objects.get(action="experts.score.submitted")
    assert entry.data["total"] == "85.5"


def test_bounds_missing_and_veto_items_not_scored(panel):
    member = panel.members.first()
    scored, vetoes = _items(panel)
    points = {i.pk: 1 for i in scored}
    for bad in ({**points, scored[0].pk: scored[0].max_points + 1}, {**points, scored[0].pk: -1},
                {k: v for k, v in points.items() if k != scored[0].pk}, {**points, vetoes[0].pk: 0},
                {**points, scored[0].pk: "1.25"}, {**points, scored[0].pk: "abc"}):
        with pytest.raises(ValidationError):
            services.score_submit(actor=member.expert.user, member=member, points=bad, vetoes=[])
    with pytest.raises(ValidationError):
        services.score_submit(actor=member.expert.user, member=member, points=points, vetoes=[scored[0].pk])
    assert not ActionLog.objects.filter(action__startswith="experts.score").exists()


def test_only_the_members_own_expert(world, panel):
    first, second = panel.members.order_by("order")[:2]
    for actor in (second.expert.user, world.users[Role.BRANCH_STAFF], world.users[Role.EXPERT]):
        with pytest.raises(PermissionDenied):
            services.score_submit(actor=actor, member=first, points=_points_for(panel, 70), vetoes=[])


def test_resubmit_replaces_and_logs_from_to(panel):
    member = panel.members.first()
    _submit(member, 70)
    score = _submit(member, 75)
    assert score.total == 75 and member.__class__.objects.get(pk=member.pk).score.pk == score.pk
    entry = ActionLog.objects.get(action="experts.score.resubmitted")
    assert entry.changes["total"] == ["70.0", "75.0"]


def test_no_scoring_once_result_proposed_or_panel_superseded(world, app, panel):
    member = panel.members.first()
    Application.objects.filter(pk=app.pk).update(status="result_pending")
    with pytest.raises(InvalidState):
        _submit(member, 70)
    Application.objects.filter(pk=app.pk).update(status="organizing")
    panel.is_current = False
    panel.save()
    with pytest.raises(PermissionDenied):  # a superseded panel is no longer the expert's (access scope)
        _submit(member, 70)


def test_conflict_declared_after_the_draw_blocks_scoring(world, panel):
    member = panel.members.first()
    declaration_submit(actor=member.expert.user, ties=[{"kind": TieKind.FAMILY,
                                                        "enterprise_id": world.enterprises["own"].pk}])
    with pytest.raises(PermissionDenied):
        _submit(member, 70)


def test_outcome_none_until_all_scored_then_average(world, app, panel):
    members = list(panel.members.order_by("order"))
    assert services.panel_outcome(app).passed is None
    _submit(members[0], 59)
    _submit(members[1], 60)
    outcome = services.panel_outcome(app)
    assert (outcome.scored, outcome.passed, outcome.average) == (2, None, Decimal("59.5"))
    _submit(members[2], 61)
    outcome = services.panel_outcome(app)
    assert outcome.average == Decimal("60.0") and outcome.passed is True  # exactly the line passes


def test_just_below_the_line_fails(world, app, panel):
    members = list(panel.members.order_by("order"))
    for member, total in zip(members, ["59.9", "59.9", "60"], strict=True):
        _submit(member, Decimal(total))
    outcome = services.panel_outcome(app)
    assert outcome.average == Decimal("59.9") and outcome.passed is False


def test_a_single_veto_fails(world, app, panel):
    members = list(panel.members.order_by("order"))
    _, vetoes = _items(panel)
    _submit(members[0], 95, vetoes=[vetoes[0].pk])
    _submit(members[1], 95)
    _submit(members[2], 95)
    outcome = services.panel_outcome(app)
    assert outcome.vetoed and outcome.passed is False and outcome.veto_items == [vetoes[0].text]


def test_outcome_without_panel(world, app):
    outcome = services.panel_outcome(app)
    assert outcome.panel is None and outcome.passed is None and outcome.members == []


def test_campaign_sheet_and_pass_mark(world, app):
    keeper = world.users[Role.PROVINCE_STAFF]
    with pytest.raises(ValidationError) as exc:
        services.scoresheet_save(actor=keeper, campaign=world.campaign, kind="evaluation", name="北京口径",
                                 pass_mark=120, items=[{"text": "甲", "max_points": 100}, {"text": "乙", "max_points": 0}])
    assert set(exc.value.message_dict) == {"pass_mark", "items"}
    sheet = services.scoresheet_save(actor=keeper, campaign=world.campaign, kind="evaluation", name="北京口径",
                                     pass_mark=70, items=[{"text": "甲", "max_points": 60},
                                                          {"text": "乙", "max_points": 40},
                                                          {"text": "弄虚作假", "is_veto": True}])
    assert services.scoresheet_for(world.campaign, "evaluation") == sheet
    assert services.scoresheet_for(world.campaign, "acceptance").campaign_id is None
    panel = put_on_panel(app, make_pool(env=1, ind=0, other=0), world.users[Role.BRANCH_STAFF])
    _submit(panel.members.get(), 69)
    assert services.panel_outcome(app).passed is False
    with pytest.raises(InvalidState):
        services.scoresheet_save(actor=keeper, campaign=world.campaign, kind="evaluation", name="再改",
                                 pass_mark=60, items=[{"text": "甲", "max_points": 100}])
    with pytest.raises(PermissionDenied):
        services.scoresheet_save(actor=world.users[Role.CITY_STAFF], campaign=world.campaign, kind="acceptance",
                                 name="x", pass_mark=60, items=[{"text": "甲", "max_points": 100}])


def test_outcome_query_count(world, app, panel, django_assert_max_num_queries):
    for member in panel.members.all():
        _submit(member, 80)
    with django_assert_max_num_queries(3):
        outcome = services.panel_outcome(app)
        assert outcome.passed is True and [m.member.expert.name for m in outcome.members]


def test_expert_pool_keeping(world):
    keeper = world.users[Role.CITY_STAFF]
    expert = services.expert_save(actor=keeper, data={"name": "王工", "employer": "河北大学", "environment": True},
                                  industries=["1511"])
    assert ActionLog.objects.get(action="experts.expert.created").changes["industries"] == [None, ["1511"]]
    services.expert_save(actor=keeper, expert=expert, data={"title": "教授"})
    assert ActionLog.objects.get(action="experts.expert.updated").changes == {"title": ["", "教授"]}
    services.expert_set_active(actor=keeper, expert=expert, active=False)
    assert ActionLog.objects.filter(action="experts.expert.deactivated").count() == 1
    with pytest.raises(ValidationError):
        services.expert_save(actor=keeper, data={"name": "李工", "employer": "x"})  # no speciality
    with pytest.raises(ValidationError):
        services.expert_save(actor=keeper, data={"name": "李工", "employer": "x", "energy": True,
                                                 "user": world.users[Role.BRANCH_STAFF]})
    with pytest.raises(PermissionDenied):
        services.expert_save(actor=world.users[Role.BRANCH_STAFF], data={"name": "x", "employer": "y",
                                                                         "energy": True})


def test_a_score_on_a_page_that_showed_other_figures_is_refused(world, app, panel):
    """Scores are decisions too: bound to the version and the figures the expert saw."""
    from cpaudit.applications.models import ApplicationVersion
    from cpaudit.applications.services.basis import seen_token
    from cpaudit.progress.models import Option

    ApplicationVersion.objects.create(application=app, number=1, content={"fields": []}, digest="a" * 64,
                                      submitted_by=world.users[Role.ENTERPRISE], submitted_at=app.created_at)
    member = panel.members.order_by("order").first()
    seen = seen_token(app)
    Option.objects.create(enrolment=app.enrolment, name="新增方案", category="low", status="proposed")
    before = ActionLog.objects.count()
    with pytest.raises(InvalidState) as exc:
        services.score_submit(actor=member.expert.user, member=member, points=_points_for(panel, 80), vetoes=[],
                              seen=seen)
    assert exc.value.code == "stale" and "已更新，请刷新后再审" in exc.value.message
    assert ActionLog.objects.count() == before and not member.__class__.objects.filter(score__isnull=False).exists()
    score = services.score_submit(actor=member.expert.user, member=member, points=_points_for(panel, 80), vetoes=[],
                                  seen=seen_token(app))
    entry = ActionLog.objects.order_by("-seq").first()
    assert score.total == 80 and entry.data["basis"]["options"]

"""Plans and their draw: eligibility, recusal, strata, verification from the logged seed, refusal to
redraw, confidentiality before the check date (issue 13 § Spot checks)."""

import pytest
from django.core.exceptions import ValidationError

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.integrity.models import TieKind
from cpaudit.org import access
from cpaudit.org.roles import Role
from cpaudit.spotchecks import services
from cpaudit.spotchecks.models import Item, Plan, PlanStatus

from ..factories import declare, make_enterprise
from .helpers import CHECK_DAY, make_inspector, make_plan


def _drawn(world, **overrides):
    plan = make_plan(world, **overrides)
    return services.plan_draw(actor=world.users[Role.PROVINCE_STAFF], plan=plan)


def _inspectors(world, n=3, **kwargs):
    return [make_inspector(world.province, **kwargs) for _ in range(n)]


def test_eligibility_follows_the_plan_scope_and_the_roster(world):
    team = _inspectors(world, 2)
    make_inspector(world.province, declared=False)  # no current declaration: excluded, with the reason
    make_inspector(world.province, active=False)  # flag withdrawn
    make_inspector(world.baoding, role=Role.CITY_STAFF)  # a subordinate's, not asked for
    make_enterprise("130602")  # in the registry but not in the campaign
    plan = _drawn(world, counties=["130602", "130606"])
    drawn = set(plan.items.values_list("enterprise_id", flat=True))
    assert drawn == {world.enterprises[k].pk for k in ("own", "same_county", "other_county")}
    assert set(plan.pool["inspectors"]) == {u.pk for u in team}
    assert [e["reason"] for e in plan.excluded] == ["利益关系申报缺失或已过期"]
    assert {a for i in plan.items.all() for a in i.assignments.values_list("inspector_id", flat=True)} <= \
        {u.pk for u in team}


def test_subordinates_inspectors_and_industry_filter(world):
    _inspectors(world, 1)
    city = make_inspector(world.baoding, role=Role.CITY_STAFF)
    branch = make_inspector(world.branch_a, role=Role.BRANCH_STAFF)
    plan = _drawn(world, include_subordinates=True, industries=["1511"], per_enterprise=3)
    assert set(plan.pool["inspectors"]) >= {city.pk, branch.pk}
    assert plan.pool["inspector_county"][str(branch.pk)] == "130602"
    assert plan.items.count() == 5  # every world enterprise is 1511


def test_a_declared_tie_recuses_the_inspector(world):
    own = world.enterprises["own"]
    related = make_inspector(world.province, ties=[(TieKind.FAMILY, own)])
    agency_tie = make_inspector(world.province, ties=[(TieKind.CONSULTING, world.consulting)])  # own's agency
    others = _inspectors(world, 2)
    plan = _drawn(world)
    item = plan.items.get(enterprise=own)
    assert set(item.assignments.values_list("inspector_id", flat=True)) == {u.pk for u in others}
    reasons = {(e["inspector"], e["enterprise"]) for e in plan.excluded}
    assert (related.pk, own.pk) in reasons and (agency_tie.pk, own.pk) in reasons
    other = plan.items.get(enterprise=world.enterprises["other_county"])
    assert other.assignments.count() == 2  # the ties concern only "own"


def test_strata_are_sampled_with_their_own_shares(world):
    _inspectors(world, 2)
    extra = [make_enterprise("130602") for _ in range(15)]
    from cpaudit.campaigns.models import Enrolment
    for enterprise in extra:
        Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise)
    complaints = [world.enterprises["own"].pk, world.enterprises["other_city"].pk]
    plan = _drawn(world, share_percent="5", strata={"complaints": "100"}, complaint_enterprises=complaints)
    by_stratum = {}
    for item in plan.items.all():
        by_stratum.setdefault(item.stratum, set()).add(item.enterprise_id)
    assert by_stratum["complaints"] == set(complaints)  # 100 %
    assert len(by_stratum["general"]) == 1  # ceil(18 × 5 %)


def test_the_draw_is_logged_in_order_and_verifies_from_the_logged_seed(world):
    _inspectors(world, 3)
    plan = _drawn(world)
    fixed = ActionLog.objects.get(action="spotchecks.plan.pool_fixed", object_id=str(plan.pk))
    drawn = ActionLog.objects.get(action="spotchecks.plan.drawn", object_id=str(plan.pk))
    assert fixed.seq < drawn.seq and "seed" not in fixed.data
    assert fixed.data["digests"] == plan.digests == drawn.data["digests"]
    assert drawn.data["seed"] == plan.seed
    check = services.plan_verify(plan)
    assert check["ok"] and check["replay"] == check["stored"]
    # A row changed afterwards no longer verifies, even when its replay is self-consistent.
    Plan.objects.filter(pk=plan.pk).update(seed="f" * 32)
    assert not services.plan_verify(Plan.objects.get(pk=plan.pk))["ok"]


def test_a_drawn_plan_is_not_drawn_again_only_replaced_by_a_reasoned_plan(world):
    _inspectors(world, 3)
    staff = world.users[Role.PROVINCE_STAFF]
    plan = _drawn(world)
    with pytest.raises(InvalidState) as refused:
        services.plan_draw(actor=staff, plan=plan)
    assert refused.value.code == "already_drawn"
    with pytest.raises(ValidationError):
        services.plan_save(actor=staff, data={"title": "重抽", "counties": ["130602"], "check_date": CHECK_DAY},
                           replaces=plan)
    new = services.plan_save(actor=staff, data={"title": "重抽", "counties": ["130602"], "check_date": CHECK_DAY,
                                                "share_percent": "100"}, replaces=plan, reason="检查人员因病不能参加")
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAWN  # until the new plan is drawn
    services.plan_draw(actor=staff, plan=new)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUPERSEDED
    entry = ActionLog.objects.get(action="spotchecks.plan.superseded")
    assert entry.data["reason"] == "检查人员因病不能参加"
    assert services.plan_verify(Plan.objects.get(pk=plan.pk))["ok"]  # history still verifies


def test_the_list_stays_with_the_organizers_until_the_check_date(world):
    # Inspectors of the city (drawn through include_subordinates): not the organizers.
    inspectors = [make_inspector(world.baoding, role=Role.CITY_STAFF) for _ in range(2)]
    plan = _drawn(world, include_subordinates=True)
    branch, city, organizer = (world.users[r] for r in (Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_LEADER))
    for outsider in (branch, city, inspectors[0]):
        assert not access.scope(outsider, Plan.objects.filter(pk=plan.pk)).exists()
        assert not access.scope(outsider, Item.objects.filter(plan=plan)).exists()
    assert access.scope(organizer, Item.objects.filter(plan=plan)).count() == 5
    with clock.frozen(CHECK_DAY):
        assert set(access.scope(branch, Item.objects.filter(plan=plan)).values_list("enterprise__county_id",
                                                                                      flat=True)) == {"130602"}
        assert access.scope(inspectors[0], Item.objects.filter(plan=plan)).exists()


def test_planning_is_for_province_and_city_staff_within_their_counties(world):
    with pytest.raises(PermissionDenied):
        make_plan(world, actor=world.users[Role.BRANCH_STAFF])
    with pytest.raises(ValidationError) as outside:
        make_plan(world, actor=world.users[Role.CITY_STAFF], counties=["130102"])
    assert "不在您的辖区" in str(outside.value)
    assert make_plan(world, actor=world.users[Role.CITY_STAFF], counties=["130602"]).agency == world.baoding


def test_the_drawer_needs_a_current_declaration(world):
    import datetime as dt

    from django.utils import timezone

    _inspectors(world, 2)
    plan = make_plan(world)
    staff = world.users[Role.PROVINCE_STAFF]
    declare(staff, declared_at=timezone.now() - dt.timedelta(days=400))
    with pytest.raises(PermissionDenied, match="利益关系申报"):
        services.plan_draw(actor=staff, plan=plan)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT

"""Findings → rectification → closure, results approval, and the public section (only approved)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.org.roles import Role
from cpaudit.spotchecks import selectors, services
from cpaudit.spotchecks.models import ItemStatus, PlanStatus, RectificationStatus

from ..factories import EVIDENCE_PDF, make_user
from .helpers import CHECK_DAY, make_inspector, make_plan

RESULTS = {"options": ("conform", ""), "figures": ("nonconform", "节水量与水表读数不符"), "equipment": ("conform", "")}
CLEAN = {"options": ("conform", ""), "figures": ("conform", ""), "equipment": ("na", "")}


def _setup(world, counties=("130602",)):
    inspectors = [make_inspector(world.province) for _ in range(2)]
    plan = make_plan(world, counties=list(counties))
    plan = services.plan_draw(actor=world.users[Role.PROVINCE_STAFF], plan=plan)
    return plan, inspectors


def test_findings_wait_for_the_check_date_and_the_drawn_inspector(world):
    plan, (first, _) = _setup(world)
    item = plan.items.get(enterprise=world.enterprises["own"])
    with pytest.raises(InvalidState) as early:
        services.findings_record(actor=first, item=item, results=RESULTS)
    assert early.value.code == "before_check_date"
    with clock.frozen(CHECK_DAY):
        with pytest.raises(PermissionDenied):
            services.findings_record(actor=world.users[Role.PROVINCE_STAFF], item=item, results=RESULTS)
        with pytest.raises(ValidationError) as missing:
            services.findings_record(actor=first, item=item, results={**RESULTS, "figures": ("nonconform", "")})
        assert "figures_note" in missing.value.message_dict
        item = services.findings_record(actor=first, item=item, results=RESULTS, summary="数据不实")
        assert item.status == ItemStatus.RECORDED and item.findings.count() == 3
        row = services.evidence_upload(actor=first, item=item,
                                       uploaded_file=SimpleUploadedFile("现场照片.pdf", EVIDENCE_PDF))
        with services.evidence_open(actor=world.users[Role.PROVINCE_LEADER], row=row) as handle:
            assert handle.read() == EVIDENCE_PDF


def test_a_finding_opens_a_rectification_tracked_to_closure_by_the_branch(world):
    plan, (first, _) = _setup(world)
    items = {i.enterprise_id: i for i in plan.items.all()}
    own, same = items[world.enterprises["own"].pk], items[world.enterprises["same_county"].pk]
    with clock.frozen(CHECK_DAY):
        services.findings_record(actor=first, item=own, results=RESULTS)
        services.findings_record(actor=first, item=same, results=CLEAN)
        with pytest.raises(InvalidState, match="没有发现问题"):
            services.rectification_open(actor=first, item=same, requirement="整改", deadline=dt.date(2020, 10, 10))
        task = services.rectification_open(actor=first, item=own, requirement="如实填报节水量并安装计量设施",
                                           deadline=dt.date(2020, 10, 10))
        with pytest.raises(PermissionDenied):  # another enterprise's user
            services.rectification_report(actor=make_user("e2", Role.ENTERPRISE, enterprise=world.enterprises[
                "same_county"]), task=task, report="已整改")
        task = services.rectification_report(actor=world.users[Role.ENTERPRISE], task=task, report="已安装水表")
        assert task.status == RectificationStatus.REPORTED
        with pytest.raises(PermissionDenied):  # not the enterprise's branch
            services.rectification_close(actor=world.users[Role.CITY_STAFF], task=task, note="同意")
        task = services.rectification_close(actor=world.users[Role.BRANCH_STAFF], task=task, note="现场核实已整改")
        assert task.status == RectificationStatus.CLOSED
        with pytest.raises(InvalidState):
            services.rectification_close(actor=world.users[Role.BRANCH_STAFF], task=task, note="再次")


def test_results_are_approved_by_the_planning_agencys_leader_once_all_are_recorded(world):
    plan, (first, second) = _setup(world)
    leader = world.users[Role.PROVINCE_LEADER]
    with clock.frozen(CHECK_DAY):
        with pytest.raises(InvalidState, match="未录入检查结果"):
            services.plan_approve(actor=leader, plan=plan)
        for item in plan.items.all():
            services.findings_record(actor=item.assignments.first().inspector, item=item, results=CLEAN)
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=world.users[Role.CITY_LEADER], plan=plan)
        plan = services.plan_approve(actor=leader, plan=plan, note="同意")
    assert plan.status == PlanStatus.APPROVED
    with clock.frozen(CHECK_DAY), pytest.raises(InvalidState):
        services.findings_record(actor=first, item=plan.items.first(), results=RESULTS)


def test_the_public_section_shows_exactly_the_approved_results(world):
    approved, _ = _setup(world, counties=("130602",))
    pending = services.plan_draw(actor=world.users[Role.PROVINCE_STAFF], plan=make_plan(
        world, title="未审定的方案", counties=["130606"]))
    with clock.frozen(CHECK_DAY):
        for item in approved.items.all():
            services.findings_record(actor=item.assignments.first().inspector, item=item, results=RESULTS)
        services.plan_approve(actor=world.users[Role.PROVINCE_LEADER], plan=approved)
    context = selectors.public_context(world.campaign)
    assert [row["plan"].pk for row in context["spotcheck_plans"]] == [approved.pk]
    html = render_to_string("spotchecks/public.html", context)
    assert world.enterprises["own"].name in html and world.enterprises["other_county"].name not in html
    assert pending.title not in html
    for inspector in {a.inspector for i in approved.items.all() for a in i.assignments.all()}:
        assert inspector.full_name not in html  # no person's name
    assert "节水量与水表读数不符" in html

"""The demo's audit progress (cpaudit.demo.progress_data): all seven stages, plausible dates and review
states, options in every status with benefits and flags, figures, one log entry per campaign, and a
second load that changes nothing."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.core.models import ActionLog
from cpaudit.demo import data as demo
from cpaudit.progress.models import (
    Evidence,
    Figures,
    Option,
    OptionStatus,
    ReviewStatus,
    StepRecord,
    StepStatus,
)
from cpaudit.progress.selectors import dashboards as selectors
from cpaudit.progress.selectors import readiness
from cpaudit.progress.services import derived
from cpaudit.progress.services.evidence import evidence_open
from cpaudit.progress.services.options import compute_flags
from cpaudit.progress.steps import DELIVERABLE_STEPS, step

TODAY = dt.date(2024, 5, 20)
ACTOR = SystemActor("pytest")


def run_load() -> str:
    out = io.StringIO()
    with clock.frozen(TODAY):
        call_command("load-demo", "--allow-non-sqlite", "--port", "8000", stdout=out)
    return out.getvalue()


DEMO_TODAY = TODAY.isoformat()  # the demo's clock while tests/demo/conftest.py loads it once for the module


@pytest.fixture
def loaded(demo_once, db):
    return demo_once, None  # the load's duration is measured by hand (docs), not here


def _records(campaign) -> dict[int, list[StepRecord]]:
    result = {}
    for record in StepRecord.objects.filter(enrolment__campaign=campaign):
        result.setdefault(record.enrolment_id, []).append(record)
    return result


def test_active_campaign_spreads_over_every_stage_with_options_and_benefits(loaded):
    output, _seconds = loaded  # timing is measured by hand (docs), not asserted: CI machines vary
    assert "审核步骤记录" in output and "清洁生产方案" in output
    campaign = Campaign.objects.get(slug=f"byd{TODAY.year}")
    assert campaign.status == Campaign.Status.ACTIVE
    totals = selectors.totals(ACTOR, campaign, TODAY)
    assert all(stage.reached > 0 for stage in totals.stages), totals.stages  # all seven stages
    assert totals.not_started > 0 and totals.complete > 0
    assert totals.stale >= 2  # a few idle for longer than stale_days

    records = _records(campaign)
    enrolments = {e.pk: e for e in Enrolment.objects.filter(campaign=campaign)}
    reviews = Counter(r.review for rs in records.values() for r in rs)
    assert reviews[ReviewStatus.PENDING] and reviews[ReviewStatus.CONFIRMED] and reviews[ReviewStatus.RETURNED]
    for pk, rs in records.items():
        start = enrolments[pk].start_date
        for r in rs:
            assert start <= r.start_date <= TODAY
            assert r.recorded_at.date() <= TODAY and (r.reviewed_at is None or r.reviewed_at.date() <= TODAY)
            if r.status == StepStatus.COMPLETED:
                assert r.start_date <= r.completion_date <= TODAY
                assert r.review in (ReviewStatus.PENDING, ReviewStatus.CONFIRMED)
                if r.step_id in DELIVERABLE_STEPS:
                    stage = step(r.step_id).stage
                    assert not derived.missing_before(rs, stage), (pk, r.step_id)
            else:
                assert r.completion_date is None
            if r.review == ReviewStatus.RETURNED:
                assert r.status == StepStatus.IN_PROGRESS and r.review_reason
            if r.review == ReviewStatus.CONFIRMED:
                assert r.reviewed_at is not None

    options = list(Option.objects.filter(enrolment__campaign=campaign).select_related("enrolment__campaign"))
    assert {o.status for o in options} == set(OptionStatus.values)
    per_enrolment = Counter(o.enrolment_id for o in options)
    assert min(per_enrolment.values()) >= 3 and max(per_enrolment.values()) <= 8
    assert {o.category for o in options} == {"low", "high"}
    flagged = [o for o in options if o.flags]
    assert 1 <= len(flagged) <= 2
    for o in options:
        assert o.flags == compute_flags(o, campaign.benefit_flag_factor)
        assert o.expected_economic_wan is not None
        if o.status == OptionStatus.IMPLEMENTED:
            assert o.achieved_economic_wan is not None and o.actual_date <= TODAY
        else:
            assert o.achieved_economic_wan is None and o.actual_date is None

    # Figures: a baseline past stage 3, an 'after' once step 30 is complete.
    figures = Counter((f.enrolment_id, f.kind) for f in Figures.objects.filter(enrolment__campaign=campaign))
    for pk, rs in records.items():
        reached = derived.reached_stage(rs)
        assert ((pk, Figures.Kind.BASELINE) in figures) == (reached > 3), pk
        step30 = any(r.step_id == 30 and r.status == StepStatus.COMPLETED for r in rs)
        assert ((pk, Figures.Kind.AFTER) in figures) == step30, pk

    entry = ActionLog.objects.get(action="demo.progress.loaded", object_id=str(campaign.pk))
    assert entry.data["step_records"] == sum(len(rs) for rs in records.values())
    assert entry.data["options"] == len(options)


def test_what_applications_rely_on_holds(loaded):
    """Every completed deliverable has its report (a real PDF that downloads); an audit complete through
    step 27 (35) has those steps confirmed; a complete audit has no 中/高费 option left open; every
    abandoned option says why."""
    for campaign in Campaign.objects.filter(slug__in=[demo.HISTORY_SLUG, f"byd{TODAY.year}"]):
        records = _records(campaign)
        states = readiness.step_states(records)
        open_options = readiness.open_high_options(records)
        for pk, rs in records.items():
            done = {r.step_id for r in rs if r.status == StepStatus.COMPLETED}
            assert {n for n in DELIVERABLE_STEPS if n in done} <= states[pk].with_file, pk
            if done.issuperset(range(1, 28)):
                assert not derived.evaluation_blockers(rs, states[pk].with_file), pk
            if done.issuperset(range(1, 36)):
                assert not derived.acceptance_blockers(rs, states[pk].with_file, open_options.get(pk, ())), pk
    evidence = Evidence.objects.select_related("record__enrolment__enterprise", "uploaded_by").order_by("pk")
    assert evidence.count() > 50 and all(e.record.step_id in DELIVERABLE_STEPS for e in evidence)
    sample = evidence.first()
    assert sample.uploaded_by.enterprise_id == sample.record.enrolment.enterprise_id or \
        sample.uploaded_by.consulting_agency_id == sample.record.enrolment.consulting_agency_id
    opened = evidence_open(actor=ACTOR, evidence=sample)
    with opened.handle as fh:
        text = "".join(page.extract_text() for page in PdfReader(fh).pages)
    assert sample.record.enrolment.enterprise.name in text and opened.content_type == "application/pdf"
    assert all(o.abandon_reason for o in Option.objects.filter(status=OptionStatus.ABANDONED))


def test_closed_campaign_mostly_complete_a_few_stuck(loaded):
    campaign = Campaign.objects.get(slug=demo.HISTORY_SLUG)
    assert campaign.status == Campaign.Status.CLOSED
    records = _records(campaign)
    enrolled = Enrolment.objects.filter(campaign=campaign).count()
    complete = [pk for pk, rs in records.items()
                if len(rs) == 35 and all(r.review == ReviewStatus.CONFIRMED for r in rs)]
    assert len(complete) >= enrolled * 0.8
    stuck = [pk for pk in records if pk not in complete]
    assert 1 <= len(stuck) <= 5
    assert all(r.completion_date is None or r.completion_date.year == 2020 for rs in records.values() for r in rs)
    assert ActionLog.objects.filter(action="demo.progress.loaded", object_id=str(campaign.pk)).count() == 1


def test_second_load_changes_nothing(loaded):
    models = [StepRecord, Evidence, Option, Figures, ActionLog]
    counts = [m.objects.count() for m in models]
    flags = list(Option.objects.order_by("pk").values_list("flags", flat=True))
    again = run_load()
    assert [m.objects.count() for m in models] == counts
    assert list(Option.objects.order_by("pk").values_list("flags", flat=True)) == flags
    assert "未作任何修改" in again

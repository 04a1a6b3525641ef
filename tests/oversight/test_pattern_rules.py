"""The pattern rules on planted decisions: one reviewer taking one consulting agency's clients, an
expert drawn again and again for one agency's clients, an agency whose clients all pass — each
against what is ordinary (a desk of one person, a small pool, a client that failed)."""

import datetime as dt

import pytest

from cpaudit.applications import services
from cpaudit.applications.models import Outcome, Status, Step
from cpaudit.core.models import ActionLog
from cpaudit.experts import draw
from cpaudit.experts import services as experts
from cpaudit.org.roles import Role
from cpaudit.oversight.models import Finding, Rule
from cpaudit.oversight.services import anomaly_run

from ..experts.helpers import make_pool
from .helpers import client_of, colleague, own_client, submitted, walk

pytestmark = pytest.mark.django_db


def _run(world, rule):
    anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    return list(Finding.objects.filter(rule=rule).order_by("pk"))


def _review(chain, enrolment, reviewer):
    app = submitted(chain, enrolment)
    return chain.decide(app, Step.BRANCH_REVIEW, actor=reviewer)


def test_one_reviewer_taking_one_agency_s_clients_is_found(world, at, settings):
    settings.CPAUDIT_ANOMALY_CONCENTRATION_MIN = 2
    staff, second, third = world.users[Role.BRANCH_STAFF], colleague(world), colleague(world)
    clients = [own_client(world), client_of(world)]
    for enrolment, chain in clients:  # both of the agency's clients reviewed by the same person
        _review(chain, enrolment, staff)
    for reviewer in (second, third):  # the colleagues review enterprises auditing alone
        _review(*reversed(client_of(world, consulting=False)), reviewer)
    [finding] = _run(world, Rule.CONCENTRATION)
    assert finding.official == staff and finding.supervising_agency == world.baoding
    assert finding.details["办理件数"] == 2 and finding.details["同环节人数"] == 3
    assert world.consulting.name in finding.summary and "3.0倍" in finding.summary
    reviews = ActionLog.objects.filter(action="applications.application.branch_review", actor=staff)
    assert finding.log_seqs == sorted(reviews.values_list("seq", flat=True))


def test_a_desk_of_one_is_never_concentrated(world, at, settings):
    settings.CPAUDIT_ANOMALY_CONCENTRATION_MIN = 2
    for enrolment, chain in (own_client(world), client_of(world), client_of(world)):
        app = _review(chain, enrolment, world.users[Role.BRANCH_STAFF])
        chain.decide(app, Step.BRANCH_APPROVAL)  # the branch's only leader approves all three
    assert _run(world, Rule.CONCENTRATION) == []


def _organizing_clients(world, at, n, *, consulting=True):
    """n applications of the agency's clients, walked to 组织评估/验收中 on working days."""
    apps, day = [], dt.date(2020, 7, 28)
    for _ in range(n):
        enrolment, chain = client_of(world, consulting=consulting)
        at(f"{day} 09:00")
        app, day = walk(chain, submitted(chain, enrolment), Status.ORGANIZING, at, day)
        apps.append(app)
    return apps


def test_an_expert_drawn_for_one_agency_far_beyond_chance_is_found(world, at, monkeypatch):
    pool = make_pool(env=10, ind=10, other=10)  # 30 experts: a seat of 3 is one chance in ten
    favoured = pool[0]
    real_select = draw.select

    def rigged(rule, eligible, seed):  # the draw "happens" to seat the favoured expert every time
        drawn = real_select(rule, eligible, seed)
        return [favoured.pk] + [pk for pk in drawn if pk != favoured.pk][:rule.size - 1]

    monkeypatch.setattr(draw, "select", rigged)
    # The other two seats from fixed seeds that seat nobody else twice: with fresh seeds another expert
    # repeats now and then by chance (about 1 run in 100) and is rightly found too.
    seeds = iter(["a1" * 16, "b2" * 16, "c3" * 16])
    monkeypatch.setattr("cpaudit.experts.services.secrets.token_hex", lambda n: next(seeds))
    for app in _organizing_clients(world, at, 3):
        experts.panel_draw(actor=world.users[Role.BRANCH_STAFF], application=app)
    findings = _run(world, Rule.PAIR)
    assert [f.key for f in findings] == [f"pair:{favoured.pk}:{world.consulting.pk}"]
    [finding] = findings
    assert finding.official == favoured.user and finding.leaders_only and finding.supervising_agency == world.province
    assert finding.details["出现次数"] == 3 and finding.details["期望次数"] == "0.3"
    assert finding.details["偶然概率"] == "0.1%"  # 0.1 × 0.1 × 0.1
    draws = ActionLog.objects.filter(action="experts.panel.drawn").values_list("seq", flat=True)
    assert finding.log_seqs == sorted(draws)


def test_a_small_pool_repeating_by_chance_is_not_found(world, at):
    make_pool(env=1, ind=1, other=1)  # three experts: every panel is the whole pool
    for app in _organizing_clients(world, at, 3):
        experts.panel_draw(actor=world.users[Role.BRANCH_STAFF], application=app)
    assert _run(world, Rule.PAIR) == []


@pytest.fixture
def passes(monkeypatch):
    """The panel's derived result, set per application (the scoring itself is the experts' tests')."""
    from ..applications.test_services_results import FakeOutcome

    result = {"passed": True}
    monkeypatch.setattr("cpaudit.experts.services.panel_outcome",
                        lambda application: FakeOutcome(passed=result["passed"]))
    return result


def _conclude(world, app, passed, passes):
    passes["passed"] = passed
    services.application_result_propose(actor=world.users[Role.BRANCH_STAFF], application=app)
    services.application_result_confirm(actor=world.users[Role.BRANCH_LEADER], application=app,
                                        outcome=Outcome.AGREE)


def test_an_agency_whose_clients_all_pass_is_found_until_one_fails(world, at, settings, passes):
    settings.CPAUDIT_ANOMALY_ALL_PASS_MIN = 2
    first, second, third = _organizing_clients(world, at, 3)
    _conclude(world, first, True, passes)
    assert _run(world, Rule.ALL_PASS) == []  # one client is not yet a pattern
    _conclude(world, second, True, passes)
    [finding] = _run(world, Rule.ALL_PASS)
    assert finding.details["企业数"] == 2 and finding.leaders_only and finding.official is None
    confirmations = ActionLog.objects.filter(action="applications.application.result_confirmation")
    assert finding.log_seqs == sorted(confirmations.values_list("seq", flat=True))
    _conclude(world, third, False, passes)
    anomaly_run(actor=world.users[Role.AUDIT_ADMIN])
    finding.refresh_from_db()
    assert not finding.present  # kept, with its history, but no longer seen

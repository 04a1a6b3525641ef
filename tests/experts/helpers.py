"""Builders for the expert pool, applications being organized, panels and scores."""

import itertools

from cpaudit.applications.models import Application
from cpaudit.campaigns.models import Enrolment
from cpaudit.experts.models import Expert, Panel, PanelMember
from cpaudit.org.roles import Role

from ..factories import declare, make_user

_n = itertools.count(1)


def make_expert(*, environment=False, industry=False, energy=False, user=False, **kwargs) -> Expert:
    n = next(_n)
    if not (environment or industry or energy):
        energy = True
    account = make_user(f"expert{n}", Role.EXPERT, full_name=f"专家{n}") if user is True else (user or None)
    expert = Expert.objects.create(name=kwargs.pop("name", f"专家{n}"), employer=kwargs.pop("employer", f"某大学{n}"),
                                   environment=environment, industry=industry, energy=energy, user=account, **kwargs)
    declare(expert)  # an expert scores only with a current declaration of interest
    return expert


def make_pool(env=2, ind=2, other=1, user=True) -> list[Expert]:
    return ([make_expert(environment=True, user=user) for _ in range(env)]
            + [make_expert(industry=True, user=user) for _ in range(ind)]
            + [make_expert(energy=True, user=user) for _ in range(other)])


def organizing(world, rel="own", organizer=None, kind="evaluation", status="organizing") -> Application:
    enrolment = Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)
    organizer = organizer or {"own": world.branch_a, "same_county": world.branch_a, "other_county": world.branch_b,
                              "other_city": world.branch_sjz, "dingzhou": world.dingzhou}[rel]
    return Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=kind, status=status,
                                      organizer=organizer, organizer_level="branch")


def put_on_panel(application, experts, drawn_by) -> Panel:
    """A panel written directly (no draw): for pages and scoring tests that need a fixed membership."""
    from django.utils import timezone

    from cpaudit.experts.services import scoresheet_for

    panel = Panel.objects.create(application=application, sheet=scoresheet_for(application.campaign, application.kind),
                                 rule={"size": len(experts), "min_environment": 0, "min_industry": 0},
                                 seed="0" * 32, eligible_ids=[e.pk for e in experts], eligible_digest="",
                                 drawn_by=drawn_by, drawn_at=timezone.now())
    for n, expert in enumerate(experts, start=1):
        PanelMember.objects.create(panel=panel, expert=expert, order=n, is_leader=n == 1)
    return panel

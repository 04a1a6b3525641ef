"""Helpers that walk a results summary along its chain with the world's users (the applications they
summarize: conftest.applied)."""

from cpaudit.applications.models import Kind
from cpaudit.org.roles import Role
from cpaudit.reports import results


def summary_of(world, agency, kind=Kind.EVALUATION, actor=None):
    return results.results_for(actor=actor or world.users[Role.PROVINCE_STAFF], campaign=world.campaign, kind=kind,
                               agency=agency)


def branch_submitted(world, kind=Kind.EVALUATION, remarks="外县企业未通过，已督促重新审核"):
    """竞秀区's summary drafted by its staff and submitted by its leader (version 1)."""
    u = world.users
    summary = results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary_of(world, world.branch_a, kind),
                                         remarks=remarks)
    results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary)
    summary.refresh_from_db()
    return summary


def city_drafted(world, number="保环报〔2020〕60号"):
    return results.results_save_draft(actor=world.users[Role.CITY_STAFF], summary=summary_of(world, world.baoding),
                                      remarks="", document_number=number)

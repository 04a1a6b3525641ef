"""确认 before irreversible actions: the button posts to the confirmation page (no script), which
writes nothing, says what will happen and posts the same fields to the action."""

import re

import pytest
from django.urls import reverse

from cpaudit.applications.models import Application, Status
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from tests.applications.conftest import attach_files
from tests.applications.test_views_chain import form_post
from tests.applications.viewfixtures import make_application
from tests.factories import complete_audit

from .test_pages import enrolment

CONFIRM = reverse("workbench:confirm")


def hidden_fields(html: str) -> list[tuple[str, str]]:
    form = html[html.index('<section class="card confirm">'):]
    return [(name, value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
            if name != "csrfmiddlewaretoken"]


def test_submitting_an_application_asks_first_and_then_submits(client, world, eligible, today):
    app = make_application(world, status=Status.DRAFT, enrol=eligible)
    attach_files(app, world.users[Role.ENTERPRISE])
    client.force_login(world.users[Role.ENTERPRISE])
    edit = reverse("applications:edit", args=[app.pk])
    page = client.get(edit).content.decode()
    assert f'formaction="{CONFIRM}" name="action" value="submit"' in page and "<script" not in page
    logs = ActionLog.objects.count()
    posted = {**form_post(app), "action": "submit", "_confirm": "application_submit", "_target": edit}
    asked = client.post(CONFIRM, posted)
    html = asked.content.decode()
    assert asked.status_code == 200 and "请确认：提交申请" in html and "送分局审核" in html
    assert f'action="{edit}"' in html and ("action", "submit") in hidden_fields(html)
    assert ActionLog.objects.count() == logs and Application.objects.get(pk=app.pk).status == Status.DRAFT
    done = client.post(edit, dict(hidden_fields(html)))
    assert done.status_code == 302 and Application.objects.get(pk=app.pk).status == Status.BRANCH_REVIEW


@pytest.mark.parametrize(("kind", "target"), [
    ("nonsense", "/applications/1/edit/"),
    ("application_submit", "https://evil.example/applications/1/edit/"),
    ("application_submit", "//evil.example/x/"),
    ("application_submit", "/workbench/remind/"),  # not where this kind leads
])
def test_unknown_kinds_and_foreign_targets_are_refused(client, world, kind, target):
    client.force_login(world.users[Role.ENTERPRISE])
    assert client.post(CONFIRM, {"_confirm": kind, "_target": target}).status_code == 404


def test_the_branch_confirms_a_step_after_being_told_it_locks(client, world):
    record = complete_audit(enrolment(world), through=1, confirmed=False)[0]
    client.force_login(world.users[Role.BRANCH_STAFF])
    page = client.get(reverse("progress:step_edit", args=[record.enrolment_id, 1])).content.decode()
    review = reverse("progress:step_review", args=[record.pk])
    assert f'name="_target" value="{review}"' in page and 'name="action" value="confirm"' in page
    html = client.post(CONFIRM, {"_confirm": "step_confirm", "_target": review, "action": "confirm"},
                       HTTP_REFERER="http://testserver" + reverse("progress:step_edit",
                                                                   args=[record.enrolment_id, 1])).content.decode()
    assert "企业不能再修改" in html and f'href="{reverse("progress:step_edit", args=[record.enrolment_id, 1])}"' in html


def test_decisions_and_results_ask_before_agreeing(client, world, today):
    app = make_application(world, status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert 'name="_confirm" value="application_agree"' in html
    assert '<button type="submit" name="outcome" value="return">退回企业</button>' in html  # a return: no question


def test_withdraw_a_submission_nobody_has_acted_on(client, world, chain, submitted):
    from cpaudit.applications.models import Step
    from cpaudit.applications.services import application_withdraw
    from cpaudit.core.errors import InvalidState
    from cpaudit.reports.models import Notification

    ent = world.users[Role.ENTERPRISE]
    client.force_login(ent)
    detail = reverse("applications:detail", args=[submitted.pk])
    withdraw = reverse("applications:withdraw", args=[submitted.pk])
    assert f'name="_target" value="{withdraw}"' in client.get(detail).content.decode()
    assert client.post(withdraw).status_code == 302
    app = Application.objects.get(pk=submitted.pk)
    assert app.status == Status.DRAFT and app.submitted_at is None and app.versions.count() == 1
    assert ActionLog.objects.filter(action="applications.application.withdrawn", object_id=str(app.pk)).exists()
    assert not Notification.objects.filter(subject=f"applications.application:{app.pk}", read_at__isnull=True,
                                            user=world.users[Role.BRANCH_STAFF]).exists()
    app = chain.submit(app)  # version 2
    assert app.versions.count() == 2 and app.status == Status.BRANCH_REVIEW
    app = chain.decide(app, Step.BRANCH_REVIEW)  # the branch has acted: too late
    with pytest.raises(InvalidState):
        application_withdraw(actor=ent, application=app)
    assert 'value="application_withdraw"' not in client.get(detail).content.decode()


def test_withdraw_is_refused_once_the_branch_decided_on_the_version(world, chain, submitted):
    from cpaudit.applications.models import Outcome, Step
    from cpaudit.applications.services import application_withdraw
    from cpaudit.core.errors import InvalidState

    app = chain.decide(submitted, Step.BRANCH_REVIEW, outcome=Outcome.RETURN, opinion="补充材料")
    with pytest.raises(InvalidState):
        application_withdraw(actor=world.users[Role.ENTERPRISE], application=app)


def test_every_confirmation_kind_is_used_by_a_page_and_names_real_targets():
    """No confirmation is dead text: each kind is the button of some template, and every target is a URL
    name the project has (a renamed view would otherwise refuse every confirmed form)."""
    from pathlib import Path

    from django.urls import NoReverseMatch

    from cpaudit.workbench.confirm import CONFIRMATIONS

    root = Path(__file__).resolve().parents[2] / "cpaudit"
    templates = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("templates/**/*.html"))
    unused = [kind for kind in CONFIRMATIONS if f'kind="{kind}"' not in templates]
    assert not unused, unused
    for confirmation in CONFIRMATIONS.values():
        for name in confirmation.targets:
            try:
                reverse(name)
            except NoReverseMatch as exc:
                assert "pattern(s) tried" in str(exc) and "0 pattern(s)" not in str(exc), name

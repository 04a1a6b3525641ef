"""One application walked through the whole chain by the pages (enterprise → branch staff → branch
leader → branch batch → city staff → city leader → city batch → province staff → province leader →
the organizer's proposal and confirmation), and what a stale or wrong POST does: a message in Chinese,
nothing changed, no log entry."""

import pytest
from django.urls import reverse

from cpaudit.applications import formspec
from cpaudit.applications.models import Application, Batch, Decision, Kind, Status
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from .conftest import FILL, pdf
from .viewfixtures import make_application

pytestmark = pytest.mark.django_db


def form_post(application, **overrides) -> dict:
    """Everything the edit page posts: the saved draft as the page shows it, plus the test's values."""
    data = {}
    for f in formspec.FIELDS[application.kind]:
        if f.registry:
            continue
        value = application.form_data.get(f.key)
        data[f.key] = ("true" if value else "false") if isinstance(value, bool) else ("" if value is None else value)
    data.update(FILL[application.kind])
    data.update(overrides)
    return data


def as_user(client, world, role):
    client.force_login(world.users[role])
    return client


def seen(client, app) -> str:
    """What the page shows the decider (posted back with the decision, as the browser does)."""
    form = client.get(reverse("applications:detail", args=[app.pk])).context["form"]
    return form["seen"].value() if form is not None else ""


def decide(client, world, role, app, step, outcome="agree", opinion="意见", **extra):
    c = as_user(client, world, role)
    response = c.post(reverse("applications:detail", args=[app.pk]),
                      {"action": "decide", "step": step, "outcome": outcome, "opinion": opinion,
                       "seen": seen(c, app), **extra})
    return response


def status(app):
    return Application.objects.get(pk=app.pk).status


def test_whole_chain_through_the_pages(client, world, eligible, today, monkeypatch):
    # The enterprise starts, fills and submits.
    c = as_user(client, world, Role.ENTERPRISE)
    response = c.post(reverse("applications:start", args=[eligible.pk]), {"kind": Kind.EVALUATION})
    app = Application.objects.get(enrolment=eligible, kind=Kind.EVALUATION)
    assert response.status_code == 302 and response["Location"] == reverse("applications:edit", args=[app.pk])
    assert c.get(response["Location"]).status_code == 200
    # The written application and the audit report go with the form (uploaded on the application page).
    for purpose in ("letter", "report"):
        response = c.post(reverse("applications:attachment_upload", args=[app.pk]),
                          {"purpose": purpose, "file": pdf(f"{purpose}.pdf")})
        assert response.status_code == 302
    assert app.attachments.filter(is_current=True).count() == 2
    response = c.post(reverse("applications:edit", args=[app.pk]), {**form_post(app), "action": "submit"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert status(app) == Status.BRANCH_REVIEW

    # Branch staff: the two checks and the opinion.
    page = as_user(client, world, Role.BRANCH_STAFF).get(reverse("applications:detail", args=[app.pk]))
    assert page.context["action"] == "decide" and "提交申请评估资料是否齐全" in page.content.decode()
    assert "下一步：填写分局审核意见" in page.content.decode() and "轮到您办理" in page.content.decode()
    response = decide(client, world, Role.BRANCH_STAFF, app, "branch_review", opinion="同意上报",
                      check_materials_complete="true", check_facts_true="true")
    assert response.status_code == 302 and status(app) == Status.BRANCH_APPROVAL
    decide(client, world, Role.BRANCH_LEADER, app, "branch_approval", opinion="")
    assert status(app) == Status.BRANCH_BATCH

    # The branch leader's batch: the waiting application is ticked by default.
    c = as_user(client, world, Role.BRANCH_LEADER)
    page = c.get(reverse("applications:batch_new"), {"campaign": world.campaign.slug, "kind": Kind.EVALUATION})
    form = page.context["form"]
    assert form["applications"].value() == [str(app.pk)]
    response = c.post(reverse("applications:batch_new"), {
        "campaign": world.campaign.slug, "kind": Kind.EVALUATION, "applications": [str(app.pk)],
        "title": form["title"].value(), "letter": form["letter"].value(),
        f"seen_{app.pk}": form[f"seen_{app.pk}"].value()})
    batch = Batch.objects.get(agency=world.branch_a)
    assert response.status_code == 302 and response["Location"] == reverse("applications:batch_detail",
                                                                           args=[batch.pk])
    assert "1家企业" in batch.letter and status(app) == Status.CITY_REVIEW

    # The city: review (opinion required), approval, its own batch to the province.
    decide(client, world, Role.CITY_STAFF, app, "city_review", opinion="同意报省厅")
    assert status(app) == Status.CITY_APPROVAL
    decide(client, world, Role.CITY_LEADER, app, "city_approval")
    assert status(app) == Status.CITY_BATCH
    c = as_user(client, world, Role.CITY_LEADER)
    form = c.get(reverse("applications:batch_new"), {"campaign": world.campaign.slug, "kind": Kind.EVALUATION}
                 ).context["form"]
    c.post(reverse("applications:batch_new"), {
        "campaign": world.campaign.slug, "kind": Kind.EVALUATION, "applications": [str(app.pk)],
        "title": "", "letter": "", f"seen_{app.pk}": form[f"seen_{app.pk}"].value()})
    assert status(app) == Status.PROVINCE_REVIEW

    # The province.
    decide(client, world, Role.PROVINCE_STAFF, app, "province_review", opinion="同意组织评估")
    assert status(app) == Status.PROVINCE_APPROVAL
    decide(client, world, Role.PROVINCE_LEADER, app, "province_approval")
    assert status(app) == Status.ORGANIZING
    assert Decision.objects.filter(application=app).count() == 6

    # The organizer (management level 其他: the branch) proposes from the panel, its leader confirms.
    import cpaudit.experts.services as experts

    class Outcome:
        passed, average, vetoed, scored, members, opinion = True, "85.0", False, 3, [1, 2, 3], "材料齐全，同意通过"

    monkeypatch.setattr(experts, "panel_outcome", lambda application: Outcome())
    page = as_user(client, world, Role.BRANCH_STAFF).get(reverse("applications:detail", args=[app.pk]))
    assert page.context["action"] == "propose" and "85.0" in page.content.decode()
    assert f"/experts/panels/application/{app.pk}/" in page.content.decode()
    response = client.post(reverse("applications:detail", args=[app.pk]), {"action": "propose", "opinion": "", "seen": seen(client, app)})
    assert response.status_code == 302 and status(app) == Status.RESULT_PENDING
    page = as_user(client, world, Role.BRANCH_LEADER).get(reverse("applications:detail", args=[app.pk]))
    assert page.context["action"] == "confirm"
    client.post(reverse("applications:detail", args=[app.pk]), {"action": "confirm", "outcome": "agree", "seen": seen(client, app)})
    app = Application.objects.get(pk=app.pk)
    assert app.status == Status.PASSED and app.passed is True
    page = as_user(client, world, Role.ENTERPRISE).get(reverse("applications:detail", args=[app.pk]))
    assert "通过" in page.content.decode() and page.context["action"] is None


def test_stale_decision_is_refused_with_a_message(client, world, today):
    app = make_application(world, status=Status.BRANCH_APPROVAL)
    c = as_user(client, world, Role.BRANCH_STAFF)  # the login is logged: count after it
    before = ActionLog.objects.count()
    response = c.post(reverse("applications:detail", args=[app.pk]), {
        "action": "decide", "step": "branch_review", "outcome": "agree", "opinion": "同意上报",
        "check_materials_complete": "true", "check_facts_true": "true"})
    assert response.status_code == 200
    assert "该申请当前为“待分局负责人审批”，不能填写分局审核意见" in response.content.decode()
    assert status(app) == Status.BRANCH_APPROVAL and ActionLog.objects.count() == before
    assert not Decision.objects.exists()


def test_return_needs_a_reason_shown_next_to_the_opinion(client, world, today):
    app = make_application(world, status=Status.BRANCH_REVIEW)
    response = decide(client, world, Role.BRANCH_STAFF, app, "branch_review", outcome="return", opinion="",
                      check_materials_complete="false", check_facts_true="true")
    assert response.status_code == 200
    assert response.context["form"].errors["opinion"] == ["退回须填写原因"]
    assert status(app) == Status.BRANCH_REVIEW


def test_missing_checks_are_field_errors(client, world, today):
    app = make_application(world, status=Status.BRANCH_REVIEW)
    response = decide(client, world, Role.BRANCH_STAFF, app, "branch_review")
    assert response.status_code == 200
    assert "请选择“提交申请评估资料是否齐全”" in response.content.decode()
    assert status(app) == Status.BRANCH_REVIEW


def test_return_goes_back_to_the_enterprise_with_reason_and_level(client, world, today):
    app = make_application(world, status=Status.CITY_REVIEW)
    decide(client, world, Role.CITY_STAFF, app, "city_review", outcome="return", opinion="产品产量数据有误")
    app = Application.objects.get(pk=app.pk)
    assert app.status == Status.RETURNED and app.returned_level == "city"
    page = as_user(client, world, Role.ENTERPRISE).get(reverse("applications:detail", args=[app.pk]))
    html = page.content.decode()
    assert "产品产量数据有误" in html and "设区市（省管县）生态环境局" in html
    assert page.context["action"] == "edit"


def test_step_of_another_role_is_forbidden(client, world, today):
    app = make_application(world, status=Status.BRANCH_REVIEW)
    response = decide(client, world, Role.CITY_STAFF, app, "branch_review",
                      check_materials_complete="true", check_facts_true="true")
    assert response.status_code == 403 and status(app) == Status.BRANCH_REVIEW


def test_same_person_cannot_approve_own_opinion(client, world, today):
    """Separation of duties is the service's (PermissionDenied → 403); the page changes nothing."""
    app = make_application(world, status=Status.BRANCH_REVIEW)
    decide(client, world, Role.BRANCH_STAFF, app, "branch_review",
           check_materials_complete="true", check_facts_true="true")
    assert status(app) == Status.BRANCH_APPROVAL
    response = decide(client, world, Role.BRANCH_STAFF, app, "branch_approval")
    assert response.status_code == 403 and status(app) == Status.BRANCH_APPROVAL

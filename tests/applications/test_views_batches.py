"""Batches (书面申请): the leader's form with the waiting applications ticked and the letter prefilled,
submission through services.batch_submit, the list and one batch, scoped like reports."""

import pytest
from django.urls import reverse

from cpaudit.applications.models import Application, Batch, Kind, Status
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from .viewfixtures import make_application, make_batch

pytestmark = pytest.mark.django_db


def new(client, params=None):
    return client.get(reverse("applications:batch_new"), params or {})


def test_form_lists_waiting_with_defaults(client, world, today):
    first = make_application(world, status=Status.BRANCH_BATCH)
    second = make_application(world, "same_county", status=Status.BRANCH_BATCH)
    make_application(world, "other_county", status=Status.BRANCH_BATCH)  # another branch's
    client.force_login(world.users[Role.BRANCH_LEADER])
    response = new(client, {"campaign": world.campaign.slug, "kind": Kind.EVALUATION})
    form = response.context["form"]
    assert sorted(form["applications"].value()) == sorted([str(first.pk), str(second.pk)])
    assert form["title"].value() == f"{world.branch_a}关于2020年清洁生产审核评估的申请"
    assert "2家企业" in form["letter"].value()
    assert world.baoding.name in response.content.decode()  # the recipient
    assert len(new(client, {"campaign": world.campaign.slug, "kind": Kind.ACCEPTANCE}).context["waiting"]) == 0
    assert len(new(client).context["waiting"]) == 2  # defaults: the active campaign, 评估


def test_submit_only_the_ticked_with_the_letter_counting_them(client, world, today):
    first = make_application(world, status=Status.BRANCH_BATCH)
    second = make_application(world, "same_county", status=Status.BRANCH_BATCH)
    client.force_login(world.users[Role.BRANCH_LEADER])
    form = new(client, {"campaign": world.campaign.slug, "kind": Kind.EVALUATION}).context["form"]
    response = client.post(reverse("applications:batch_new"), {
        "campaign": world.campaign.slug, "kind": Kind.EVALUATION, "applications": [str(first.pk)],
        "title": form["title"].value(), "letter": form["letter"].value(),
        f"seen_{first.pk}": form[f"seen_{first.pk}"].value()})
    batch = Batch.objects.get()
    assert response.status_code == 302 and "1家企业" in batch.letter
    assert Application.objects.get(pk=first.pk).status == Status.CITY_REVIEW
    assert Application.objects.get(pk=second.pk).status == Status.BRANCH_BATCH
    html = client.get(reverse("applications:batch_detail", args=[batch.pk])).content.decode()
    assert reverse("applications:detail", args=[first.pk]) in html and batch.letter in html
    assert reverse("applications:batch_download", args=[batch.pk, "docx"]) in html
    assert batch.title in client.get(reverse("applications:batch_list")).content.decode()


def test_stale_batch_is_a_message_and_changes_nothing(client, world, today):
    app = make_application(world, status=Status.BRANCH_BATCH)
    client.force_login(world.users[Role.BRANCH_LEADER])
    form = new(client, {"campaign": world.campaign.slug, "kind": Kind.EVALUATION}).context["form"]
    Application.objects.filter(pk=app.pk).update(status=Status.CITY_REVIEW)  # someone else sent it
    logs = ActionLog.objects.count()
    response = client.post(reverse("applications:batch_new"), {
        "campaign": world.campaign.slug, "kind": Kind.EVALUATION, "applications": [str(app.pk)],
        "title": form["title"].value(), "letter": ""})
    assert response.status_code == 200
    assert not Batch.objects.exists() and ActionLog.objects.count() == logs
    assert response.context["form"].errors  # no longer a choice: the waiting list moved on


def test_batch_scope(client, world, today):
    own = make_batch(world, world.branch_a, world.baoding)
    other = make_batch(world, world.branch_b, world.baoding)
    client.force_login(world.users[Role.BRANCH_STAFF])
    assert [b.pk for b in client.get(reverse("applications:batch_list")).context["page"]] == [own.pk]
    assert client.get(reverse("applications:batch_detail", args=[other.pk])).status_code == 404
    client.force_login(world.users[Role.CITY_STAFF])
    assert {b.pk for b in client.get(reverse("applications:batch_list")).context["page"]} == {own.pk, other.pk}

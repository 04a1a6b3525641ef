"""The enterprise side: start from the index, the form with every field in order (registry-bound ones
read-only), save the draft, submit; errors from formspec / the services next to their fields."""

import pytest
from django.urls import reverse

from cpaudit.applications import formspec
from cpaudit.applications.models import Application, Kind, Status
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from .conftest import complete_steps
from .test_views_chain import form_post
from .viewfixtures import enrolment, make_application

pytestmark = pytest.mark.django_db


def edit_url(app):
    return reverse("applications:edit", args=[app.pk])


def test_edit_page_has_every_field_in_order(client, world, today):
    app = make_application(world, status=Status.DRAFT)
    client.force_login(world.users[Role.ENTERPRISE])
    html = client.get(edit_url(app)).content.decode()
    positions = [html.index(f'id="field-{f.key}"') for f in formspec.FIELDS[Kind.EVALUATION]]
    assert positions == sorted(positions)
    # 企业名称, 所属行业, 企业代码 (the registry); 开展审核方式, 咨询机构名称 (the enrolment)
    assert html.count("如需变更请联系分局在企业名录中修改") == 5
    assert 'name="name"' not in html and world.enterprises["own"].uscc in html
    assert html.count('type="radio" name="enterprise_type"') == 7  # 双超, 双有第一至五类, 其他
    assert 'name="mode"' not in html and "委托" in html and world.consulting.name in html
    assert 'type="date" name="start_date"' in html
    assert 'name="has_violation" value="true"' in html and 'name="has_violation" value="false"' in html
    assert 'value="submit"' in html


def test_acceptance_form_fields(client, world, today):
    app = make_application(world, status=Status.DRAFT, kind=Kind.ACCEPTANCE)
    client.force_login(world.users[Role.ENTERPRISE])
    html = client.get(edit_url(app)).content.decode()
    for f in formspec.FIELDS[Kind.ACCEPTANCE]:
        assert f'id="field-{f.key}"' in html
    assert 'name="within_time_limit"' not in html  # registry-bound: read-only


def test_save_error_is_next_to_the_field_and_nothing_saved(client, world, today):
    app = make_application(world, status=Status.DRAFT)
    before = dict(app.form_data)
    client.force_login(world.users[Role.CONSULTANT])
    logs = ActionLog.objects.count()
    response = client.post(edit_url(app), {**form_post(app, registered_capital="一千万"), "action": "save"})
    assert response.status_code == 200
    assert response.context["form"].errors["registered_capital"] == ["请填写数字（万元）"]
    html = response.content.decode()
    field = html[html.index('id="field-registered_capital"'):html.index('id="field-main_business_revenue"')]
    assert "请填写数字（万元）" in field
    assert Application.objects.get(pk=app.pk).form_data == before and ActionLog.objects.count() == logs


def test_save_draft(client, world, today):
    app = make_application(world, status=Status.DRAFT)
    client.force_login(world.users[Role.CONSULTANT])
    response = client.post(edit_url(app), {**form_post(app, main_products="啤酒、饮料"), "action": "save"})
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).form_data["main_products"] == "啤酒、饮料"


def test_consultant_cannot_submit(client, world, today):
    app = make_application(world, status=Status.DRAFT)
    client.force_login(world.users[Role.CONSULTANT])
    assert 'value="submit"' not in client.get(edit_url(app)).content.decode()
    response = client.post(edit_url(app), {**form_post(app), "action": "submit"})
    assert response.status_code == 403 and Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_submit_errors_are_next_to_the_fields(client, world, eligible, today):
    app = make_application(world, status=Status.DRAFT, enrol=eligible)
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.post(edit_url(app), {**form_post(app, contact_person="", start_date="2020-07-01",
                                                          end_date="2020-06-30"), "action": "submit"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["contact_person"] == ["请填写“联系人”"]
    assert errors["end_date"] == ["完成审核时间不能早于开始审核时间"]
    assert "草稿已保存" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_submit_before_step_27_is_a_message(client, world, today):
    app = make_application(world, status=Status.DRAFT)
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.post(edit_url(app), {**form_post(app), "action": "submit"})
    assert response.status_code == 200 and "暂不能申请评估" in response.content.decode()
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_edit_of_a_submitted_application_goes_to_its_page(client, world, today):
    app = make_application(world, status=Status.BRANCH_REVIEW)
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.get(edit_url(app))
    assert response.status_code == 302 and response["Location"] == reverse("applications:detail", args=[app.pk])


def test_index_offers_start_when_eligible(client, world, today):
    client.force_login(world.users[Role.ENTERPRISE])
    html = client.get(reverse("applications:index")).content.decode()
    assert "审核尚未完成第1至27步" in html and "尚未通过清洁生产审核评估" in html
    complete_steps(enrolment(world))
    html = client.get(reverse("applications:index")).content.decode()
    assert "可申请评估" in html and reverse("applications:start", args=[enrolment(world).pk]) in html


def test_start_when_not_eligible_is_a_message(client, world, today):
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.post(reverse("applications:start", args=[enrolment(world).pk]), {"kind": "evaluation"},
                           follow=True)
    assert "审核尚未完成第1至27步" in response.content.decode()
    assert not Application.objects.exists()


def test_start_again_opens_the_existing_one(client, world, eligible, today):
    app = make_application(world, status=Status.BRANCH_REVIEW, enrol=eligible)
    client.force_login(world.users[Role.ENTERPRISE])
    response = client.post(reverse("applications:start", args=[eligible.pk]), {"kind": "evaluation"})
    assert response["Location"] == reverse("applications:detail", args=[app.pk])

"""Starting, saving and submitting Table 1 / Table 2: eligibility, pre-fill, validation in Chinese,
consistency with the registry, the frozen version and its digest."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cpaudit.applications import formspec, services
from cpaudit.applications.models import Application, ApplicationVersion, Kind, Status
from cpaudit.campaigns.models import Campaign
from cpaudit.core.chain import canonical_json, sm3_hex
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.registry.models import Enterprise

from .conftest import FILL, complete_steps, enrolment_of, reload


def test_evaluation_needs_step_27(chain, world):
    enrolment = enrolment_of(world)
    complete_steps(enrolment, upto=26)
    with pytest.raises(InvalidState) as exc:
        chain.start(enrolment)
    assert exc.value.code == "not_eligible" and "27" in exc.value.message
    assert not Application.objects.exists()


def test_start_prefills_from_registry_and_enrolment(chain, eligible, world):
    app = chain.start(eligible, fill=False)
    data = app.form_data
    enterprise = world.enterprises["own"]
    assert data["name"] == enterprise.name and data["uscc"] == enterprise.uscc
    assert data["mode"] == "entrusted" and data["consulting_agency"] == world.consulting.name
    assert data["document_number"] == world.campaign.document_number
    assert data["start_date"] == "2020-03-01" and data["application_date"] == "2020-07-28"
    assert data["end_date"] == "2020-06-30"  # step 27 completed: the report sent to 评估
    assert ActionLog.objects.filter(action="applications.application.started").count() == 1


def test_start_twice_returns_the_open_application(chain, eligible):
    first = chain.start(eligible)
    assert chain.start(eligible).pk == first.pk


def test_consultant_prepares_but_cannot_submit(chain, eligible, world):
    consultant = world.users[Role.CONSULTANT]
    app = services.application_start(actor=consultant, enrolment=eligible, kind=Kind.EVALUATION)
    services.application_save(actor=consultant, application=app, data=FILL[Kind.EVALUATION])
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=consultant, application=app)
    assert reload(app).status == Status.DRAFT


def test_other_enterprise_cannot_start_or_save(chain, eligible, world):
    other = enrolment_of(world, "same_county")
    complete_steps(other)
    with pytest.raises(PermissionDenied):
        services.application_start(actor=world.users[Role.ENTERPRISE], enrolment=other, kind=Kind.EVALUATION)


def test_save_with_errors_changes_nothing_and_names_the_field(chain, eligible):
    app = chain.start(eligible)
    before = dict(app.form_data)
    count = ActionLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.application_save(actor=chain.enterprise_user, application=app,
                                  data={"registered_capital": "一千", "start_date": "2020-13-01", "nature": "国有"})
    errors = exc.value.message_dict
    assert errors["registered_capital"] == ["请填写数字（万元）"]
    assert "YYYY-MM-DD" in errors["start_date"][0]
    assert reload(app).form_data == before and ActionLog.objects.count() == count


def test_registry_fields_are_not_taken_from_input(chain, eligible, world):
    app = chain.start(eligible)
    services.application_save(actor=chain.enterprise_user, application=app, data={"name": "改名公司"})
    assert reload(app).form_data["name"] == world.enterprises["own"].name


def test_a_registry_rename_is_followed_not_refused(chain, eligible, world):
    app = chain.start(eligible)
    Application.objects.filter(pk=app.pk).update(form_data={**app.form_data, "name": "另一个名称有限公司"})
    Enterprise.objects.filter(pk=world.enterprises["own"].pk).update(name="更名后有限公司")
    app = chain.submit(reload(app))
    content = {f["key"]: f["value"] for f in app.versions.get().content["fields"]}
    assert content["name"] == "更名后有限公司"


def test_mode_and_agency_come_from_the_enrolment(chain, eligible, world):
    app = chain.start(eligible)
    services.application_save(actor=chain.enterprise_user, application=app,
                              data={"mode": "self", "consulting_agency": "另一家咨询公司"})
    Application.objects.filter(pk=app.pk).update(form_data={**reload(app).form_data, "mode": "self",
                                                            "consulting_agency": ""})
    app = chain.submit(reload(app))
    content = {f["key"]: f["value"] for f in app.versions.get().content["fields"]}
    assert content["mode"] == "entrusted" and content["consulting_agency"] == world.consulting.name


def test_application_date_cannot_be_in_the_future(chain, eligible):
    app = chain.start(eligible)
    services.application_save(actor=chain.enterprise_user, application=app, data={"application_date": "2020-08-15"})
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=chain.enterprise_user, application=app)
    assert "不能晚于提交当日" in exc.value.message_dict["application_date"][0]


def test_a_closed_campaign_refuses_save_and_submit(chain, eligible, world):
    app = chain.start(eligible)
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    for call in (lambda: services.application_save(actor=chain.enterprise_user, application=app, data={"nature": "x"}),
                 lambda: services.application_submit(actor=chain.enterprise_user, application=app)):
        with pytest.raises(InvalidState) as exc:
            call()
        assert exc.value.code == "campaign_closed"


@pytest.mark.parametrize("change,field,text", [
    ({"end_date": "2020-02-01"}, "end_date", "完成审核时间不能早于开始审核时间"),
    ({"application_date": "2020-07-10"}, "application_date", "申请日期不能早于完成审核时间"),
    ({"contact_person": ""}, "contact_person", "请填写“联系人”"),
    ({"has_deadline_project": True, "deadline_project_done": None}, "deadline_project_done", "须选择"),
    ({"enterprise_type": "shuangyou9"}, "enterprise_type", "企业类型"),
])
def test_submit_validation_messages(chain, eligible, change, field, text):
    app = chain.start(eligible)
    Application.objects.filter(pk=app.pk).update(form_data={**app.form_data, **change})
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=chain.enterprise_user, application=app)
    assert text in exc.value.message_dict[field][0]
    assert reload(app).status == Status.DRAFT and not ApplicationVersion.objects.exists()


def test_enterprise_type_is_exactly_one_choice():
    choices = [value for value, _ in formspec.TYPE_CHOICES]
    assert choices == ["shuangchao", "shuangyou1", "shuangyou2", "shuangyou3", "shuangyou4", "shuangyou5", "other"]


def test_submit_freezes_a_version_with_its_digest_in_the_log(chain, eligible, world):
    app = chain.submit(chain.start(eligible))
    version = app.versions.get()
    assert version.digest == sm3_hex(canonical_json(version.content))
    labels = [f["label"] for f in version.content["fields"]]
    assert labels == [f.label for f in formspec.FIELDS[Kind.EVALUATION]]
    entry = ActionLog.objects.filter(action="applications.application.submitted").get()
    assert entry.data["digest"] == version.digest
    assert app.status == Status.BRANCH_REVIEW and app.organizer == world.branch_a
    # Later registry changes do not touch the frozen version.
    Enterprise.objects.filter(pk=world.enterprises["own"].pk).update(name="新名称有限公司")
    assert ApplicationVersion.objects.get(pk=version.pk).content == version.content
    with pytest.raises(InvalidState):
        services.application_save(actor=chain.enterprise_user, application=app, data={"nature": "x"})


def test_submit_in_a_closed_campaign_start_refused(chain, eligible, world):
    Campaign.objects.filter(pk=world.campaign.pk).update(status=Campaign.Status.CLOSED)
    with pytest.raises(InvalidState) as exc:
        services.application_start(actor=chain.enterprise_user, enrolment=enrolment_of(world), kind=Kind.EVALUATION)
    assert exc.value.code == "campaign_closed"


# --- 验收 ------------------------------------------------------------------------------------------

def _passed_evaluation(world, enrolment, day=dt.date(2020, 8, 10)):
    return Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.EVALUATION,
                                      status=Status.PASSED, passed=True, result_date=day)


def test_acceptance_needs_a_passed_evaluation_and_step_35(chain, eligible, world):
    with pytest.raises(InvalidState) as exc:
        chain.start(eligible, kind=Kind.ACCEPTANCE)
    assert "评估" in exc.value.message
    _passed_evaluation(world, eligible)
    with pytest.raises(InvalidState) as exc:
        chain.start(eligible, kind=Kind.ACCEPTANCE)
    assert "35" in exc.value.message
    complete_steps(eligible, upto=35, day=dt.date(2020, 7, 25))
    Application.objects.filter(kind=Kind.EVALUATION).update(result_date=dt.date(2020, 7, 10))
    app = chain.submit(chain.start(eligible, kind=Kind.ACCEPTANCE))
    content = {f["key"]: f["value"] for f in app.versions.get().content["fields"]}
    assert content["evaluation_passed_date"] == "2020-07-10" and content["within_time_limit"] is True


def test_acceptance_outside_the_time_limit_needs_an_explanation(chain, eligible, world):
    _passed_evaluation(world, eligible, day=dt.date(2019, 6, 1))
    complete_steps(eligible, upto=35)
    app = chain.start(eligible, kind=Kind.ACCEPTANCE)
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=chain.enterprise_user, application=app)
    assert "相关说明" in exc.value.message_dict["time_limit_explanation"][0]
    services.application_save(actor=chain.enterprise_user, application=app,
                              data={"time_limit_explanation": "因疫情停产，经市局同意延期"})
    app = chain.submit(app)
    content = {f["key"]: f["value"] for f in app.versions.get().content["fields"]}
    assert content["within_time_limit"] is False and "疫情" in content["time_limit_explanation"]


def test_time_limit_is_judged_on_the_submission_day_not_the_typed_date(chain, eligible, world):
    from cpaudit.core import clock

    _passed_evaluation(world, eligible, day=dt.date(2019, 6, 1))
    complete_steps(eligible, upto=35)
    app = chain.start(eligible, kind=Kind.ACCEPTANCE)
    # Typed within a year of the 评估, submitted more than a year after it.
    services.application_save(actor=chain.enterprise_user, application=app, data={"application_date": "2020-05-20"})
    with clock.frozen(dt.date(2020, 7, 28)), pytest.raises(ValidationError) as exc:
        services.application_submit(actor=chain.enterprise_user, application=app)
    assert "time_limit_explanation" in exc.value.message_dict


def test_time_limit_is_the_campaign_setting(chain, eligible, world):
    Campaign.objects.filter(pk=world.campaign.pk).update(acceptance_time_limit_days=30)
    _passed_evaluation(world, eligible, day=dt.date(2020, 6, 1))
    complete_steps(eligible, upto=35)
    app = chain.start(eligible, kind=Kind.ACCEPTANCE)
    assert app.form_data["within_time_limit"] is False
    with pytest.raises(ValidationError):
        services.application_submit(actor=chain.enterprise_user, application=app)


def test_incident_needs_the_rectification_answer(chain, eligible, world):
    _passed_evaluation(world, eligible, day=dt.date(2020, 7, 1))
    complete_steps(eligible, upto=35)
    app = chain.start(eligible, kind=Kind.ACCEPTANCE)
    services.application_save(actor=chain.enterprise_user, application=app, data={"had_incident": "是"})
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=chain.enterprise_user, application=app)
    assert "整改" in exc.value.message_dict["incident_rectified"][0]


def test_steps_reopened_after_start_block_the_submission(chain, eligible):
    app = chain.start(eligible)
    StepRecord.objects.filter(enrolment=eligible, step_id=27).update(status=StepStatus.IN_PROGRESS,
                                                                      completion_date=None)
    with pytest.raises(InvalidState):
        services.application_submit(actor=chain.enterprise_user, application=app)

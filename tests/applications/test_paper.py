"""Levels that decide on paper (PaperAgency): the level below records the reply (who signed, date,
文号, the opinion as written, a scan), marked 据来文录入, and the chain goes on; the printed form shows
the opinion as recorded."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from cpaudit.applications import selectors, services
from cpaudit.applications.document import form_document
from cpaudit.applications.models import Decision, Level, Outcome, PaperAgency, Status, Step
from cpaudit.applications.render import form_pdf
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.registry.models import ManagementLevel
from tests.factories import make_user

from .conftest import pdf, reload

REPLY = "同意组织该企业清洁生产审核评估。"


def set_paper(world, agency, campaign=None):
    return services.paper_agency_set(actor=world.users[Role.PROVINCE_STAFF], agency=agency, campaign=campaign,
                                     note="省厅审批以纸质来文为准")


def record(app, actor, outcome=Outcome.AGREE, scan=None, **overrides):
    args = {"opinion": REPLY, "signer": "周处长", "source_date": dt.date(2020, 7, 27),
            "source_number": "冀环审函〔2020〕12号", "scan": scan or pdf("reply.pdf"), **overrides}
    return services.application_record_reply(actor=actor, application=app, outcome=outcome, **args)


@pytest.fixture
def province_paper(world):
    return set_paper(world, world.province)


def test_the_province_on_paper_is_recorded_by_the_city(chain, submitted, world, province_paper):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    # The province itself can no longer act; the city's staff records its reply.
    with pytest.raises((InvalidState, PermissionDenied)):
        services.application_decide(actor=world.users[Role.PROVINCE_STAFF], application=app,
                                    step=Step.PROVINCE_REVIEW, outcome=Outcome.AGREE, opinion="同意")
    with pytest.raises(PermissionDenied):
        record(app, world.users[Role.BRANCH_STAFF])
    before = ActionLog.objects.count()
    decision = record(app, world.users[Role.CITY_STAFF])
    app = reload(app)
    assert app.status == Status.ORGANIZING
    assert decision.transcribed and decision.step == Step.PROVINCE_REVIEW
    assert decision.agency == world.province and decision.actor == world.users[Role.CITY_STAFF]
    assert decision.actor_name == "周处长" and decision.source_number == "冀环审函〔2020〕12号"
    assert decision.scan.purpose == "reply_scan" and decision.scan.digest
    entry = ActionLog.objects.order_by("-seq").first()
    assert ActionLog.objects.count() == before + 1
    assert entry.action == "applications.application.province_reply" and entry.data["signer"] == "周处长"
    assert entry.actor_id == world.users[Role.CITY_STAFF].pk


def test_the_printed_form_shows_the_transcribed_opinion(chain, submitted, world, province_paper):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    record(app, world.users[Role.CITY_STAFF])
    block = form_document(reload(app))["opinions"]["province"]
    assert block["opinion"] == REPLY and block["name"] == "周处长" and block["date"] == "2020-07-27"
    assert block["transcribed"]["number"] == "冀环审函〔2020〕12号"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(form_pdf(form_document(reload(app))))).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "据来文录入" in compact and "周处长" in compact and REPLY.rstrip("。") in compact


def test_a_paper_reply_can_return_the_application(chain, submitted, world, province_paper):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    record(app, world.users[Role.CITY_STAFF], outcome=Outcome.RETURN, opinion="请补充监测报告")
    app = reload(app)
    assert app.status == Status.RETURNED and app.returned_level == Level.PROVINCE
    assert app.return_reason == "请补充监测报告"
    assert chain.enterprise_user.notifications.filter(text__contains="请补充监测报告").exists()


@pytest.mark.parametrize("field,value,message", [
    ("opinion", "  ", "请按来文原文录入意见"), ("signer", "", "请填写来文的签发人"),
    ("source_date", None, "请填写来文日期"), ("source_date", dt.date(2020, 12, 1), "来文日期不能晚于今天"),
])
def test_a_recording_needs_the_reply_in_full(chain, submitted, world, province_paper, field, value, message):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    before = ActionLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        record(app, world.users[Role.CITY_STAFF], **{field: value})
    assert message in " ".join(exc.value.message_dict[field])
    assert reload(app).status == Status.PROVINCE_REVIEW and ActionLog.objects.count() == before
    assert not Decision.objects.filter(transcribed=True).exists()


def test_the_scan_must_be_a_pdf_or_an_image(chain, submitted, world, province_paper):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    text = SimpleUploadedFile("reply.txt", "这不是扫描件".encode())
    with pytest.raises(ValidationError):
        record(app, world.users[Role.CITY_STAFF], scan=text)
    with pytest.raises(ValidationError):
        services.application_record_reply(actor=world.users[Role.CITY_STAFF], application=app, outcome="agree",
                                          opinion=REPLY, signer="周处长", source_date=dt.date(2020, 7, 27), scan=None)
    assert reload(app).status == Status.PROVINCE_REVIEW


def test_the_to_do_lists_follow_the_paper_setting(chain, submitted, world, province_paper):
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    assert app in selectors.todo(world.users[Role.CITY_STAFF])
    assert app not in selectors.todo(world.users[Role.PROVINCE_STAFF])
    province_paper.delete()
    assert app in selectors.todo(world.users[Role.PROVINCE_STAFF])
    assert app not in selectors.todo(world.users[Role.CITY_STAFF])


def test_a_setting_for_another_campaign_changes_nothing(chain, submitted, world):
    from tests.factories import make_campaign

    set_paper(world, world.province, make_campaign(slug="c2021", year=2021))
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    assert app in selectors.todo(world.users[Role.PROVINCE_STAFF])
    services.application_decide(actor=world.users[Role.PROVINCE_STAFF], application=app, step=Step.PROVINCE_REVIEW,
                                outcome=Outcome.AGREE, opinion="同意")
    assert reload(app).status == Status.PROVINCE_APPROVAL


def test_a_city_on_paper_is_recorded_by_the_branch_and_names_the_organizer(chain, eligible, world):
    eligible.enterprise.management_level = ManagementLevel.MUNICIPAL
    eligible.enterprise.save()
    set_paper(world, world.baoding, world.campaign)
    app = chain.to(chain.submit(chain.start(eligible)), Status.CITY_REVIEW)
    assert app.organizer == world.baoding
    assert app in selectors.todo(world.users[Role.BRANCH_STAFF])
    with pytest.raises(ValidationError) as exc:  # the reply names who organizes a 市管 review
        record(app, world.users[Role.BRANCH_STAFF])
    assert "organizer_level" in exc.value.message_dict
    record(app, world.users[Role.BRANCH_STAFF], opinion="经初审同意，由分局组织评估。", organizer_level=Level.BRANCH)
    app = reload(app)
    assert app.status == Status.PROVINCE_REVIEW
    assert app.organizer == world.branch_a and app.organizer_level == Level.BRANCH
    assert form_document(app)["opinions"]["city"]["transcribed"] is not None


def test_a_paper_organizer_s_result_is_recorded_and_a_failed_evaluation_reopens_the_audit(chain, eligible, world):
    from cpaudit.progress.models import StepRecord, StepStatus

    eligible.enterprise.management_level = ManagementLevel.PROVINCIAL
    eligible.enterprise.save()
    set_paper(world, world.province)
    app = chain.to(chain.submit(chain.start(eligible)), Status.PROVINCE_REVIEW)
    record(app, world.users[Role.CITY_STAFF])
    app = reload(app)
    assert app.status == Status.ORGANIZING and app.organizer == world.province
    with pytest.raises(InvalidState):  # no panel is drawn for a paper organizer
        from cpaudit.experts.services import panel_draw

        panel_draw(actor=world.users[Role.PROVINCE_STAFF], application=app)
    record(app, world.users[Role.CITY_STAFF], outcome="failed", opinion="专家组评审不通过。")
    app = reload(app)
    assert app.status == Status.FAILED and app.passed is False and app.result_date == dt.date(2020, 7, 27)
    assert StepRecord.objects.get(enrolment=eligible, step_id=27).status == StepStatus.IN_PROGRESS


def test_both_levels_on_paper_are_recorded_by_the_branch(chain, submitted, world):
    set_paper(world, world.baoding)
    set_paper(world, world.province)
    app = chain.to(submitted, Status.CITY_REVIEW)
    record(app, world.users[Role.BRANCH_STAFF], opinion="同意上报。")
    app = reload(app)
    assert app.status == Status.PROVINCE_REVIEW
    with pytest.raises(PermissionDenied):
        record(app, world.users[Role.CITY_STAFF])
    record(app, world.users[Role.BRANCH_STAFF])
    assert reload(app).status == Status.ORGANIZING


def test_the_recorder_s_declarations_apply(chain, submitted, world, province_paper):
    from cpaudit.integrity.models import TieKind

    from ..factories import declare

    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    recorder = world.users[Role.CITY_STAFF]
    declare(recorder, ties=[(TieKind.FAMILY, app.enrolment.enterprise, "亲属任职")])
    with pytest.raises(PermissionDenied):
        record(app, recorder)
    assert reload(app).status == Status.PROVINCE_REVIEW


# --- the setting itself ----------------------------------------------------------------------------

def test_only_the_province_s_staff_set_paper_levels(world):
    for role in (Role.CITY_STAFF, Role.BRANCH_STAFF, Role.PROVINCE_LEADER, Role.SYSTEM_ADMIN):
        with pytest.raises(PermissionDenied):
            services.paper_agency_set(actor=world.users[role], agency=world.baoding, note="x")
    assert not PaperAgency.objects.exists()


def test_branches_and_direct_counties_cannot_be_on_paper(world):
    for agency in (world.branch_a, world.dingzhou):
        with pytest.raises(ValidationError):
            set_paper(world, agency)
    assert not PaperAgency.objects.exists()


def test_another_province_s_city_is_refused(world):
    from tests.factories import make_agency

    other = make_agency("山西省生态环境厅", "province", "140000")
    taiyuan = make_agency("太原市生态环境局", "city", "140100", other)
    with pytest.raises(PermissionDenied):
        set_paper(world, taiyuan)


def test_set_and_remove_are_logged_and_a_duplicate_refused(world):
    item = set_paper(world, world.baoding, world.campaign)
    with pytest.raises(InvalidState):
        set_paper(world, world.baoding, world.campaign)
    with pytest.raises(ValidationError):
        services.paper_agency_remove(actor=world.users[Role.PROVINCE_STAFF], item=item, reason="")
    services.paper_agency_remove(actor=world.users[Role.PROVINCE_STAFF], item=item, reason="市局已在平台办理")
    actions = list(ActionLog.objects.filter(action__startswith="applications.paper").values_list("action", flat=True))
    assert actions == ["applications.paper.set", "applications.paper.removed"]
    assert not PaperAgency.objects.exists()


def test_the_settings_page(client, world):
    client.force_login(world.users[Role.PROVINCE_STAFF])
    response = client.post("/applications/paper/", {"agency": world.baoding.pk, "campaign": world.campaign.pk,
                                                    "note": "市局本批次以纸质方式办理"})
    assert response.status_code == 302
    page = client.get("/applications/paper/").content.decode()
    assert "保定市生态环境局" in page and "市局本批次以纸质方式办理" in page
    response = client.post("/applications/paper/", {"agency": world.branch_a.pk, "note": "x"})
    assert response.status_code == 200 and "请选择列表中的单位" in response.content.decode()  # cities and provinces only
    client.force_login(world.users[Role.CITY_STAFF])
    assert client.get("/applications/paper/").status_code == 200
    assert client.post("/applications/paper/", {"agency": world.baoding.pk, "note": "x"}).status_code == 403


def test_the_staff_of_another_city_does_not_record(chain, submitted, world, province_paper):
    outsider = make_user("other_city_staff", Role.CITY_STAFF, agency=world.sjz)
    app = chain.to(submitted, Status.PROVINCE_REVIEW)
    with pytest.raises(PermissionDenied):
        record(app, outsider)

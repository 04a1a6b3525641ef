import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cpaudit.campaigns import services
from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment
from cpaudit.core.errors import PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role

from ..factories import make_enterprise


def test_campaign_defaults_follow_the_seed(world):
    campaign = services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=None, data={
        "slug": "byd2021", "name": "2021年测试批次", "year": 2021, "document_number": "冀环办字函〔2021〕1号"},
        counties={"130602": True, "130624": False})
    assert (campaign.evaluation_deadline, campaign.acceptance_deadline) == (dt.date(2021, 8, 20), dt.date(2021, 11, 20))
    assert campaign.report_day == 30
    groups = set(campaign.industries.values_list("code", flat=True))
    assert {"1511", "2221", "1910"} <= groups and len(groups) >= 40
    assert dict(campaign.county_links.values_list("county_id", "in_basin")) == {"130602": True, "130624": False}
    assert ActionLog.objects.filter(action="campaigns.campaign.created", object_id=str(campaign.pk)).exists()


@pytest.mark.parametrize(("year", "month", "day"), [(2020, 2, 29), (2021, 2, 28), (2020, 4, 30), (2020, 7, 30)])
def test_report_due_date_is_the_30th_or_the_month_end(world, year, month, day):
    assert world.campaign.report_due_date(year, month) == dt.date(year, month, day)


def test_city_staff_cannot_put_another_citys_county_in_scope(world):
    with pytest.raises(ValidationError):
        services.campaign_save(actor=world.users[Role.CITY_STAFF], campaign=None,
                               data={"slug": "x", "name": "x", "year": 2021}, counties={"130102": True})
    assert not Campaign.objects.filter(slug="x").exists()


def test_branch_staff_cannot_create_campaigns(world):
    with pytest.raises(PermissionDenied):
        services.campaign_save(actor=world.users[Role.BRANCH_STAFF], campaign=None,
                               data={"slug": "y", "name": "y", "year": 2021})


def test_acceptance_before_evaluation_is_refused(world):
    with pytest.raises(ValidationError):
        services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=None, data={
            "slug": "z", "name": "z", "year": 2021, "evaluation_deadline": dt.date(2021, 9, 1),
            "acceptance_deadline": dt.date(2021, 8, 1)})


def test_enrolment_entrusted_needs_an_agency(world):
    enterprise = make_enterprise("130602")
    with pytest.raises(ValidationError) as exc:
        services.enrolment_save(actor=world.users[Role.BRANCH_STAFF], enrolment=None, campaign=world.campaign,
                                enterprise=enterprise, data={"mode": AuditMode.ENTRUSTED})
    assert "咨询机构" in str(exc.value)


def test_enrolment_dates_in_order(world):
    enterprise = make_enterprise("130602")
    with pytest.raises(ValidationError):
        services.enrolment_save(actor=world.users[Role.BRANCH_STAFF], enrolment=None, campaign=world.campaign,
                                enterprise=enterprise, data={"start_date": dt.date(2020, 5, 1),
                                                             "end_date": dt.date(2020, 4, 1)})


def test_enrolment_is_logged_and_unique(world):
    enterprise = make_enterprise("130602")
    actor = world.users[Role.BRANCH_STAFF]
    enrolment = services.enrolment_save(actor=actor, enrolment=None, campaign=world.campaign, enterprise=enterprise,
                                        data={"mode": AuditMode.SELF, "start_date": dt.date(2020, 3, 1)})
    assert ActionLog.objects.filter(action="campaigns.enrolment.created", object_id=str(enrolment.pk)).exists()
    with pytest.raises(ValidationError):
        services.enrolment_save(actor=actor, enrolment=None, campaign=world.campaign, enterprise=enterprise, data={})


def test_branch_cannot_enrol_another_countys_enterprise(world):
    enterprise = make_enterprise("130606")
    with pytest.raises(PermissionDenied):
        services.enrolment_save(actor=world.users[Role.BRANCH_STAFF], enrolment=None, campaign=world.campaign,
                                enterprise=enterprise, data={})
    assert not Enrolment.objects.filter(enterprise=enterprise).exists()


def test_closed_campaign_is_read_only(world):
    world.campaign.status = Campaign.Status.CLOSED
    world.campaign.save()
    enrolment = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["same_county"])
    with pytest.raises(ValidationError):
        services.enrolment_save(actor=world.users[Role.BRANCH_STAFF], enrolment=enrolment, data={"audit_round": 2})


def test_city_staff_cannot_change_the_provinces_campaign(world):
    with pytest.raises(PermissionDenied):
        services.campaign_save(actor=world.users[Role.CITY_STAFF], campaign=world.campaign,
                               data={"status": Campaign.Status.CLOSED}, counties={"130602": True})
    world.campaign.refresh_from_db()
    assert world.campaign.status == Campaign.Status.ACTIVE
    assert world.campaign.county_links.count() == 4


def test_city_edits_only_its_own_part_of_its_campaign(world):
    city = world.users[Role.CITY_STAFF]
    campaign = services.campaign_save(actor=city, campaign=None, data={"slug": "bd", "name": "保定批次", "year": 2021},
                                      counties={"130602": True, "130606": True})
    assert campaign.owner_agency == world.baoding
    # The province adds 定州 to the city's campaign; the city's later edit keeps it.
    services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=campaign, data={},
                           counties={"130602": True, "130606": True, "130682": False})
    services.campaign_save(actor=city, campaign=campaign, data={}, counties={"130602": True})
    assert set(campaign.county_links.values_list("county_id", flat=True)) == {"130602", "130682"}


def test_reserved_slug_is_refused(world):
    with pytest.raises(ValidationError):
        services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=None,
                               data={"slug": "new", "name": "x", "year": 2021})


def test_enterprise_outside_the_campaigns_counties_cannot_be_enrolled(world):
    enterprise = make_enterprise("130607")  # 满城区: not in the test campaign
    with pytest.raises(ValidationError) as exc:
        services.enrolment_save(actor=world.users[Role.PROVINCE_STAFF], enrolment=None, campaign=world.campaign,
                                enterprise=enterprise, data={})
    assert "不在本批次的范围县" in str(exc.value)


def test_enterprise_of_another_industry_is_enrolled_and_noted(world):
    enterprise = make_enterprise("130602", industry="3011")
    enrolment = services.enrolment_save(actor=world.users[Role.BRANCH_STAFF], enrolment=None,
                                        campaign=world.campaign, enterprise=enterprise, data={})
    entry = ActionLog.objects.get(action="campaigns.enrolment.created", object_id=str(enrolment.pk))
    assert entry.data["industry_outside_scope"] == "3011"


@pytest.mark.parametrize("year", [0, 1999, 20200])
def test_implausible_year_is_a_field_error(world, year):
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=None,
                               data={"slug": "y", "name": "y", "year": year})
    assert "年度" in str(exc.value.message_dict["year"])


def test_the_notice_is_kept_apart_from_the_name_and_the_list_number(world):
    """The seed's notice: its own title, issuer and date (no 文号 of its own on the copy); the 省级文号 of
    the list stays the form's, and reports cite the notice, not the campaign's name."""
    campaign = services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=world.campaign, data={
        "notice_title": " 《关于加快推进实施清洁生产审核工作的通知》 ", "notice_issuer": "保定市生态环境局办公室",
        "notice_number": "", "notice_date": dt.date(2020, 7, 21)})
    assert campaign.notice_title == "关于加快推进实施清洁生产审核工作的通知"  # the brackets are the report's
    assert campaign.document_number == "冀环办字函〔2020〕202号"
    assert campaign.notice_citation() == "保定市生态环境局办公室《关于加快推进实施清洁生产审核工作的通知》"
    entry = ActionLog.objects.filter(action="campaigns.campaign.updated").last()
    assert entry.changes["notice_title"] == ["", "关于加快推进实施清洁生产审核工作的通知"]
    campaign = services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=campaign,
                                      data={"notice_number": "保环办函〔2020〕68号"})
    assert campaign.notice_citation() == "《关于加快推进实施清洁生产审核工作的通知》（保环办函〔2020〕68号）"


def test_a_notice_number_without_its_title_is_refused(world):
    with pytest.raises(ValidationError) as info:
        services.campaign_save(actor=world.users[Role.PROVINCE_STAFF], campaign=world.campaign,
                               data={"notice_number": "保环办函〔2020〕68号"})
    assert "请同时填写通知标题" in info.value.message_dict["notice_title"][0]

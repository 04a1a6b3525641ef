from django.urls import reverse

from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role

from ..factories import make_enterprise
from ..querycount import page_queries as _queries


def test_detail_shows_only_the_branchs_enterprises(world, login):
    client = login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("campaigns:campaign_detail", args=[world.campaign.slug])).content.decode()
    assert "同县测试企业有限公司" in html and "外县测试企业有限公司" not in html


def test_detail_query_count_does_not_grow_with_enrolments(world, login):
    client = login(world.users[Role.PROVINCE_STAFF])
    url = reverse("campaigns:campaign_detail", args=[world.campaign.slug])
    few = _queries(client, url)
    for _ in range(40):
        Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise("130606"))
    assert _queries(client, url) == few


def test_enrol_form_lists_only_unenrolled_enterprises_in_jurisdiction(world, login):
    fresh = make_enterprise("130602", name="待列入企业有限公司")
    make_enterprise("130606", name="外县待列入企业有限公司")
    client = login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("campaigns:enrolment_create", args=[world.campaign.slug])).content.decode()
    assert fresh.name in html and "外县待列入企业有限公司" not in html and "同县测试企业有限公司" not in html


def test_enrol_post_creates_the_enrolment(world, login):
    fresh = make_enterprise("130602")
    client = login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("campaigns:enrolment_create", args=[world.campaign.slug]), {
        "enterprise": fresh.pk, "audit_round": 1, "mode": "self", "enterprise_type": "other",
        "start_date": "2020-04-01"})
    assert response.status_code == 302
    assert Enrolment.objects.filter(enterprise=fresh, campaign=world.campaign).exists()


def test_enrol_post_with_error_shows_it_and_saves_nothing(world, login):
    fresh = make_enterprise("130602")
    client = login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("campaigns:enrolment_create", args=[world.campaign.slug]), {
        "enterprise": fresh.pk, "audit_round": 1, "mode": "entrusted", "enterprise_type": "other"})
    assert response.status_code == 200 and "委托审核须填写咨询机构名称" in response.content.decode()
    assert not Enrolment.objects.filter(enterprise=fresh).exists()


def test_days_left_follow_the_clock(world, login, settings):
    settings.CPAUDIT_TODAY = "2020-08-10"
    client = login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("campaigns:campaign_detail", args=[world.campaign.slug])).content.decode()
    assert "还剩 10 天" in html and "还剩 102 天" in html
    settings.CPAUDIT_TODAY = "2020-08-25"
    html = client.get(reverse("campaigns:campaign_detail", args=[world.campaign.slug])).content.decode()
    assert "已过 5 天" in html


def test_the_notice_on_the_form_and_the_page(world, login):
    from cpaudit.campaigns.models import Campaign

    client = login(world.users[Role.PROVINCE_STAFF])
    edit = reverse("campaigns:campaign_edit", args=[world.campaign.slug])
    form = client.get(edit).content.decode()
    for label in ("通知标题", "通知文号", "发文单位", "发文日期", "名单企业“省级文号”"):
        assert label in form
    data = {"slug": "c2020", "name": world.campaign.name, "year": 2020, "document_number": "冀环办字函〔2020〕202号",
            "notice_title": "关于加快推进实施清洁生产审核工作的通知", "notice_number": "保环办函〔2020〕68号",
            "notice_issuer": "保定市生态环境局办公室", "notice_date": "2020-07-21", "status": "active",
            "report_day": 30, "evaluation_deadline": "2020-08-20", "acceptance_deadline": "2020-11-20",
            "fee_threshold": "50", "counties": ["130602", "130606"]}
    assert client.post(edit, data).status_code == 302
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.notice_number, campaign.notice_date.isoformat()) == ("保环办函〔2020〕68号", "2020-07-21")
    page = client.get(reverse("campaigns:campaign_detail", args=[campaign.slug])).content.decode()
    assert "保定市生态环境局办公室《关于加快推进实施清洁生产审核工作的通知》（保环办函〔2020〕68号），2020年7月21日" in page


def test_the_enrolment_list_filters_by_an_industry_code_prefix(client, world):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = f"/campaigns/{world.campaign.slug}/"
    names = [e.enterprise.name for e in client.get(url, {"industry": "15"}).context["page"]]
    assert names and all(n in {"自有测试企业有限公司", "同县测试企业有限公司"} for n in names)
    assert list(client.get(url, {"industry": "27"}).context["page"]) == []

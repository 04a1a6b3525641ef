"""The monthly report pages: who sees what, the whole chain through the views, downloads,
notifications (authority.md § Monthly report chain)."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from cpaudit.campaigns.models import Enrolment
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import StepRecord, StepStatus
from cpaudit.reports.models import MonthlyReport, Notification, ReportKind, ReportStatus, ReportVersion

TODAY = dt.date(2020, 6, 20)
MONTH = "2020-06"
TITLE_A = "保定市生态环境局竞秀区分局关于2020年6月清洁生产审核工作进度的报告"


@pytest.fixture
def today(settings):
    settings.CPAUDIT_TODAY = TODAY.isoformat()
    return TODAY


@pytest.fixture
def started(world, today):
    """The "own" enterprise has begun the first stage (step 1 in progress)."""
    enrolment = Enrolment.objects.get(enterprise=world.enterprises["own"], campaign=world.campaign)
    StepRecord.objects.create(enrolment=enrolment, step_id=1, status=StepStatus.IN_PROGRESS,
                              start_date=dt.date(2020, 6, 2))
    return enrolment


def branch_url(w, agency=None, month=MONTH):
    return reverse("reports:branch_report", args=[w.campaign.slug, month, (agency or w.branch_a).pk])


def city_url(w, agency=None, month=MONTH):
    return reverse("reports:city_overview", args=[w.campaign.slug, month, (agency or w.baoding).pk])


def download_url(w, fmt, agency=None):
    return reverse("reports:download", args=[w.campaign.slug, MONTH, (agency or w.branch_a).pk, fmt])


def text(response) -> str:
    return response.content.decode()


def as_(client, world, role):
    client.force_login(world.users[role])
    return client


def seen_on(client, url, report_pk=None) -> str:
    """The hidden "seen" value the page at `url` posts back: the submission's (the draft's content), or
    with `report_pk` the accept/return forms' for that branch report (its version)."""
    html = text(client.get(url))
    if report_pk is None:
        return re.search(r'name="seen" value="([^"]*)"', html)[1]
    return re.search(rf'name="report" value="{report_pk}"[^>]*><input type="hidden" name="seen" value="([^"]*)"',
                     html)[1]


def submit(client, url, reason=""):
    """The leader's submission as the page posts it (with the content it showed)."""
    return client.post(url, {"action": "submit", "reason": reason, "seen": seen_on(client, url)})


def review(client, url, action, report_pk, **data):
    return client.post(url, {"action": action, "report": report_pk, "seen": seen_on(client, url, report_pk), **data})


def report_a(world) -> MonthlyReport:
    return MonthlyReport.objects.get(kind=ReportKind.BRANCH, campaign=world.campaign, agency=world.branch_a,
                                     month=dt.date(2020, 6, 1))


# --- pages for the right roles ---------------------------------------------------------------------

def test_index_sends_each_level_to_its_page(world, client, today):
    url = reverse("reports:index")
    response = as_(client, world, Role.BRANCH_STAFF).get(url)
    assert response.status_code == 302 and response["Location"] == branch_url(world)
    response = as_(client, world, Role.CITY_LEADER).get(url)
    assert response.status_code == 302 and response["Location"] == city_url(world)
    response = as_(client, world, Role.PROVINCE_STAFF).get(url, {"campaign": world.campaign.slug, "month": "2020-05"})
    html = text(response)
    assert response.status_code == 200
    assert "保定市生态环境局" in html and "石家庄市生态环境局" in html and "定州市生态环境局" in html
    assert city_url(world, month="2020-05") in html


def test_index_refuses_a_malformed_month(world, client, today):
    response = as_(client, world, Role.PROVINCE_STAFF).get(reverse("reports:index"),
                                                           {"campaign": world.campaign.slug, "month": "2020-13"})
    assert response.status_code == 200 and "YYYY-MM" in text(response)


def test_branch_page_shows_the_document_and_the_deadline(world, client, started):
    html = text(as_(client, world, Role.BRANCH_STAFF).get(branch_url(world)))
    assert TITLE_A in html
    assert "自有测试企业有限公司已实施到" in html  # the sentence from the data
    assert "保定市生态环境局：" in html  # 主送
    assert "2020年6月30日" in html and "还剩 10 天" in html and "未报送" in html
    assert 'name="problems"' in html  # branch staff edit the free text
    assert 'value="submit"' not in html  # … and do not submit


def test_leader_sees_submit_and_no_editor(world, client, today):
    html = text(as_(client, world, Role.BRANCH_LEADER).get(branch_url(world)))
    assert 'value="submit"' in html and 'name="problems"' not in html


def test_city_and_province_read_a_branch_report_without_buttons(world, client, today):
    for role in (Role.CITY_STAFF, Role.PROVINCE_LEADER):
        html = text(as_(client, world, role).get(branch_url(world)))
        assert TITLE_A in html
        assert 'value="submit"' not in html and 'name="problems"' not in html


def test_a_branch_cannot_open_another_countys_report(world, client, today):
    client = as_(client, world, Role.BRANCH_STAFF)
    assert client.get(branch_url(world, world.branch_b)).status_code == 404
    assert client.get(download_url(world, "txt", world.branch_b)).status_code == 404
    assert client.get(city_url(world)).status_code == 404
    assert not MonthlyReport.objects.filter(agency=world.branch_b).exists()


def test_a_future_month_or_an_impossible_one(world, client, today):
    client = as_(client, world, Role.BRANCH_STAFF)
    response = client.get(branch_url(world, month="2020-08"))
    assert response.status_code == 200 and "尚未开始" in text(response)
    assert client.get(f"/reports/{world.campaign.slug}/2020-13/{world.branch_a.pk}/").status_code == 404


def test_overview_lists_every_supervised_branch_with_its_state(world, client, today):
    html = text(as_(client, world, Role.CITY_STAFF).get(city_url(world)))
    assert "保定市生态环境局竞秀区分局" in html and "保定市生态环境局莲池区分局" in html
    assert "石家庄市生态环境局长安区分局" not in html
    assert html.count(">未报送<") >= 2
    assert "保定市生态环境局关于2020年6月清洁生产审核工作进度的报告" in html  # the consolidation
    # After the due date, a branch that has not reported is late.
    with_date = client.get(city_url(world, month="2020-05"))
    assert ">逾期未报送<" in text(with_date)


# --- the whole chain through the views -------------------------------------------------------------

def test_full_chain(world, client, started):
    url = branch_url(world)
    # An empty 存在的问题 may be saved, but not submitted: the refusal shows next to the field.
    staff = as_(client, world, Role.BRANCH_STAFF)
    assert staff.post(url, {"action": "save", "problems": "  ", "remarks": ""}).status_code == 302
    leader = as_(client, world, Role.BRANCH_LEADER)
    response = submit(leader, url)
    html = text(response)
    assert response.status_code == 200 and not report_a(world).versions.exists()
    field = html.index("<dt>存在的问题</dt>")
    assert html.index("“存在的问题”未填写", field) < html.index("</dd>", field)
    staff = as_(client, world, Role.BRANCH_STAFF)
    response = staff.post(url, {"action": "save", "problems": "个别企业进度滞后", "remarks": "已督促"})
    assert response.status_code == 302
    report = report_a(world)
    assert report.problems == "个别企业进度滞后" and report.prepared_by == world.users[Role.BRANCH_STAFF]
    # Staff cannot submit: that is the leader's.
    assert staff.post(url, {"action": "submit"}).status_code == 403

    leader = as_(client, world, Role.BRANCH_LEADER)
    assert submit(leader, url).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions.count() == 1
    first = report.versions.get(number=1)
    html = text(leader.get(url))
    assert "按时报送" in html and reverse("reports:version", args=[first.pk]) in html

    # City staff return it: a reason is required.
    city = city_url(world)
    cstaff = as_(client, world, Role.CITY_STAFF)
    assert ">接收<" in text(cstaff.get(city))
    response = review(cstaff, city, "return", report.pk, reason="")
    assert response.status_code == 200 and "退回须填写原因" in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert review(cstaff, city, "return", report.pk, reason="停滞企业未说明原因").status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.return_reason == "停滞企业未说明原因"

    # The branch sees the return (page and notification), edits, and the leader resubmits as version 2.
    staff = as_(client, world, Role.BRANCH_STAFF)
    html = text(staff.get(url))
    assert "停滞企业未说明原因" in html and 'name="problems"' in html
    assert Notification.objects.filter(user=world.users[Role.BRANCH_STAFF], read_at__isnull=True).exists()
    assert staff.post(url, {"action": "save", "problems": "个别企业进度滞后，已约谈", "remarks": ""}).status_code == 302
    leader = as_(client, world, Role.BRANCH_LEADER)
    response = submit(leader, url)
    assert response.status_code == 200 and "更正原因" in text(response)
    assert report.versions.count() == 1
    assert submit(leader, url, "补充停滞原因").status_code == 302
    second = report.versions.get(number=2)
    assert second.reason == "补充停滞原因" and second.content["problems"] == "个别企业进度滞后，已约谈"

    # City staff accept.
    cstaff = as_(client, world, Role.CITY_STAFF)
    assert review(cstaff, city, "accept", report.pk).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    # The first version stays readable, unchanged.
    first.refresh_from_db()
    html = text(cstaff.get(reverse("reports:version", args=[first.pk])))
    assert "个别企业进度滞后" in html and "已约谈" not in html and "第1版" in html
    assert list(ActionLog.objects.filter(action__startswith="reports.report.").order_by("pk")
                .values_list("action", flat=True)) == [
        "reports.report.drafted", "reports.report.drafted", "reports.report.submitted", "reports.report.returned",
        "reports.report.drafted", "reports.report.corrected", "reports.report.accepted"]


def test_city_leader_cannot_review_and_a_branch_leader_cannot_act_on_the_city(world, client, today):
    MonthlyReport.objects.create(kind=ReportKind.BRANCH, campaign=world.campaign, agency=world.branch_a,
                                 month=dt.date(2020, 6, 1), status=ReportStatus.SUBMITTED, problems="无")
    report = report_a(world)
    response = as_(client, world, Role.CITY_LEADER).post(city_url(world), {"action": "accept", "report": report.pk})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_city_staff_draft_and_city_leader_submits_the_consolidation(world, client, today):
    city = city_url(world)
    cstaff = as_(client, world, Role.CITY_STAFF)
    assert cstaff.post(city, {"action": "save", "problems": "无", "remarks": ""}).status_code == 302
    # Without its 文号 the consolidation is refused, with the message next to 文号.
    response = submit(as_(client, world, Role.CITY_LEADER), city)
    html = text(response)
    field = html.index("<dt>文号</dt>")
    assert response.status_code == 200 and html.index("须有文号", field) < html.index("</dd>", field)
    cstaff = as_(client, world, Role.CITY_STAFF)
    assert cstaff.post(city, {"action": "save", "problems": "无", "remarks": "",
                              "document_number": "保环报〔2020〕18号"}).status_code == 302
    assert submit(as_(client, world, Role.CITY_LEADER), city).status_code == 302
    consolidation = MonthlyReport.objects.get(kind=ReportKind.CITY, agency=world.baoding)
    assert consolidation.status == ReportStatus.SUBMITTED
    version = ReportVersion.objects.get(report=consolidation)
    units = [s["unit"] for s in version.content["sections"]]
    assert units == ["保定市生态环境局竞秀区分局", "保定市生态环境局莲池区分局"]
    # The province reads it.
    html = text(as_(client, world, Role.PROVINCE_STAFF).get(city))
    assert "第1版" in html and "保定市生态环境局竞秀区分局" in html


# --- downloads -------------------------------------------------------------------------------------

def test_downloads_open(world, client, started):
    import docx
    from pypdf import PdfReader

    client = as_(client, world, Role.BRANCH_STAFF)
    response = client.get(download_url(world, "docx"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    assert any(TITLE_A in p.text for p in document.paragraphs)

    response = client.get(download_url(world, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "清洁生产审核工作进度" in extracted

    response = client.get(download_url(world, "txt"))
    assert response.status_code == 200 and TITLE_A in response.content.decode("utf-8")


def test_download_is_the_submitted_snapshot(world, client, started):
    as_(client, world, Role.BRANCH_STAFF).post(branch_url(world), {"action": "save", "problems": "无"})
    submit(as_(client, world, Role.BRANCH_LEADER), branch_url(world))
    # The data move after submission; the submitted report does not.
    StepRecord.objects.filter(enrolment=started).update(status=StepStatus.COMPLETED,
                                                        completion_date=dt.date(2020, 6, 19))
    body = as_(client, world, Role.CITY_STAFF).get(download_url(world, "txt")).content.decode("utf-8")
    assert "第1版" in body
    v1 = report_a(world).versions.get(number=1)
    response = client.get(download_url(world, "txt") + "?v=1")
    assert response.content.decode("utf-8") == body
    assert client.get(download_url(world, "txt") + "?v=9").status_code == 404
    assert v1.content["version"] == 1


def test_city_download_is_the_consolidation(world, client, today):
    response = as_(client, world, Role.CITY_STAFF).get(download_url(world, "txt", world.baoding))
    body = response.content.decode("utf-8")
    assert response.status_code == 200
    assert "保定市生态环境局关于2020年6月清洁生产审核工作进度的报告" in body and "莲池区分局" in body


# --- notifications ---------------------------------------------------------------------------------

def test_notifications_unread_first_count_in_top_bar_and_mark_read(world, client, today):
    user = world.users[Role.BRANCH_STAFF]
    old = Notification.objects.create(user=user, text="早先的通知")
    Notification.objects.filter(pk=old.pk).update(read_at=dt.datetime(2020, 6, 1, tzinfo=dt.UTC))
    Notification.objects.create(user=user, text="请于6月30日前报送月报")
    Notification.objects.create(user=world.users[Role.BRANCH_LEADER], text="别人的通知")
    client = as_(client, world, Role.BRANCH_STAFF)
    html = text(client.get(reverse("reports:notifications")))
    assert "别人的通知" not in html
    assert html.index("请于6月30日前报送月报") < html.index("早先的通知")
    assert '<span class="badge warn">1</span>' in html  # the top bar
    response = client.post(reverse("reports:notifications_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.users[Role.BRANCH_LEADER], read_at__isnull=True).exists()
    html = text(client.get(reverse("home")))
    assert '<span class="badge warn">' not in html.split("</header>")[0]


def test_unread_count_is_one_query(world, rf, django_assert_num_queries):
    from cpaudit.reports.context_processors import notifications

    request = rf.get("/")
    request.user = world.users[Role.CITY_STAFF]
    with django_assert_num_queries(1):
        assert notifications(request) == {"unread_notifications": 0}


def test_province_sees_each_citys_branch_table(world, client):
    from django.urls import reverse

    from cpaudit.org.roles import Role

    client.force_login(world.users[Role.PROVINCE_STAFF])
    url = reverse("reports:city_overview", args=[world.campaign.slug, "2020-06", world.baoding.pk])
    html = client.get(url).content.decode()
    assert world.branch_a.name in html and world.branch_b.name in html


def test_returned_report_notification_links_to_the_report(world):
    from cpaudit.reports.models import Notification
    from cpaudit.reports.services import report_link

    link = report_link(world.campaign, __import__("datetime").date(2020, 6, 1), world.branch_a)
    assert link.startswith("/reports/") and "2020-06" in link
    assert not Notification.objects.exclude(link="").exclude(link__startswith="/").exists()


def test_missing_pdf_font_is_a_message_not_a_server_error(world, client, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured
    from django.urls import reverse

    from cpaudit.org.roles import Role
    from cpaudit.reports import views_documents as views

    def no_font(content, fmt):
        raise ImproperlyConfigured("未找到中文字体")

    monkeypatch.setattr(views, "_render", no_font)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("reports:download", args=[world.campaign.slug, "2020-06", world.branch_a.pk, "pdf"])
    response = client.get(url, follow=True)
    assert response.status_code == 200 and "未找到中文字体" in response.content.decode()

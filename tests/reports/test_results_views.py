"""The results summaries' pages: the list per level, the document page with the one action each user
may take, the chain through the pages, stale decisions refused through the pages, downloads, the
frozen version page, and the links from 评估验收汇总 and the reports area."""

import re

import pytest
from django.urls import reverse

from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.reports import results
from cpaudit.reports.models import ReportStatus, ResultsSummary, ResultsVersion
from cpaudit.reports.seen import STALE

from .results_fixtures import branch_submitted, summary_of

pytestmark = pytest.mark.usefixtures("applied")


def doc_url(world, agency, kind="evaluation"):
    return reverse("reports:results_document", args=[world.campaign.slug, kind, agency.pk])


def list_url(world, kind="evaluation"):
    return reverse("reports:results_list", args=[world.campaign.slug, kind])


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def seen_in(html: str) -> str:
    return re.search(r'name="seen" value="([^"]*)"', html)[1]


def post(client, user, url, **data):
    """A form posted as the page shows it to `user` (with the page's own "seen")."""
    html = page(client, user, url)
    return client.post(url, {"seen": seen_in(html), **data})


# --- lists -----------------------------------------------------------------------------------------

def test_each_level_lists_what_it_reports_or_receives(world, client, dz):
    u = world.users
    branch_submitted(world)
    html = page(client, u[Role.BRANCH_STAFF], list_url(world))
    assert "保定市生态环境局竞秀区分局" in html and "莲池区分局" not in html and "已报送" in html
    html = page(client, u[Role.CITY_STAFF], list_url(world))
    assert html.index("保定市生态环境局</a>") < html.index("保定市生态环境局竞秀区分局") < html.index("莲池区分局")
    assert "定州" not in html and "石家庄" not in html and "第1版" in html
    html = page(client, u[Role.PROVINCE_STAFF], list_url(world, "acceptance"))
    for name in ("保定市生态环境局", "石家庄市生态环境局", "定州市生态环境局"):
        assert name in html
    assert "省直管县汇总" in html and "合格" in html and "竞秀区分局" not in html
    index = reverse("reports:results_index")
    client.force_login(u[Role.BRANCH_LEADER])
    assert client.get(index)["Location"] == list_url(world)
    assert client.get(index, {"campaign": world.campaign.slug, "kind": "acceptance"})["Location"] == \
        list_url(world, "acceptance")


def test_links_from_the_live_roll_up_and_the_reports_area(world, client):
    html = page(client, world.users[Role.CITY_STAFF], reverse("applications:summary"))
    assert list_url(world) in html and list_url(world, "acceptance") in html
    client.force_login(world.users[Role.PROVINCE_STAFF])
    html = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:results_index") in html


# --- the document page and its action ----------------------------------------------------------------

def test_each_user_sees_only_the_action_that_is_theirs(world, client):
    u = world.users
    url = doc_url(world, world.branch_a)
    html = page(client, u[Role.BRANCH_STAFF], url)
    assert 'value="save"' in html and 'value="submit"' not in html and 'value="accept"' not in html
    assert "保定市生态环境局竞秀区分局关于2020年清洁生产审核评估结果汇总情况的报告" in html
    assert "同县测试企业有限公司" in html and "未出结论" in html
    html = page(client, u[Role.BRANCH_LEADER], url)
    assert 'value="submit"' in html and 'value="save"' not in html
    assert 'value="accept"' not in page(client, u[Role.CITY_STAFF], url)  # nothing submitted yet
    branch_submitted(world)
    html = page(client, u[Role.CITY_STAFF], url)
    assert 'value="accept"' in html and 'value="return"' in html and 'value="save"' not in html
    for role in (Role.CITY_LEADER, Role.PROVINCE_STAFF, Role.BRANCH_LEADER):
        html = page(client, u[role], url)
        assert 'value="accept"' not in html and 'value="submit"' not in html


def test_the_chain_through_the_pages(world, client):
    u = world.users
    url = doc_url(world, world.branch_a)
    client.force_login(u[Role.BRANCH_STAFF])
    assert client.post(url, {"action": "save", "remarks": "同县企业待市局初审", "document_number": ""}).status_code == 302
    assert post(client, u[Role.BRANCH_LEADER], url, action="submit").status_code == 302
    summary = ResultsSummary.objects.get(agency=world.branch_a)
    assert summary.status == ReportStatus.SUBMITTED and summary.versions.get().content["remarks"] == "同县企业待市局初审"
    response = post(client, u[Role.CITY_STAFF], url, action="return", reason="")
    assert response.status_code == 200 and "退回须填写原因" in response.content.decode()
    assert post(client, u[Role.CITY_STAFF], url, action="return", reason="请说明逾期原因").status_code == 302
    html = page(client, u[Role.BRANCH_STAFF], url)
    assert "请说明逾期原因" in html and 'value="save"' in html
    client.post(url, {"action": "save", "remarks": "同县企业材料补正后逾期", "document_number": ""})
    response = post(client, u[Role.BRANCH_LEADER], url, action="submit", reason="")
    assert response.status_code == 200 and "更正原因" in response.content.decode()
    assert post(client, u[Role.BRANCH_LEADER], url, action="submit", reason="补充逾期原因").status_code == 302
    assert post(client, u[Role.CITY_STAFF], url, action="accept").status_code == 302
    summary.refresh_from_db()
    assert summary.status == ReportStatus.ACCEPTED and summary.versions.count() == 2
    # The city consolidates; its page lists the branches; the province accepts.
    city = doc_url(world, world.baoding)
    client.force_login(u[Role.CITY_STAFF])
    client.post(city, {"action": "save", "remarks": "", "document_number": "保环报〔2020〕61号"})
    html = page(client, u[Role.CITY_LEADER], city)
    assert "各分局结果汇总" in html and "已接收" in html
    assert post(client, u[Role.CITY_LEADER], city, action="submit").status_code == 302
    assert post(client, u[Role.PROVINCE_STAFF], city, action="accept").status_code == 302
    consolidation = ResultsSummary.objects.get(agency=world.baoding)
    assert consolidation.status == ReportStatus.ACCEPTED
    assert [b["label"] for b in consolidation.versions.get().content["blocks"] if b["type"] == "annex"] == ["附件1"]
    assert list(ActionLog.objects.filter(action__startswith="reports.results.").order_by("seq")
                .values_list("action", flat=True)) == [
        "reports.results.drafted", "reports.results.submitted", "reports.results.returned",
        "reports.results.drafted", "reports.results.corrected", "reports.results.accepted",
        "reports.results.drafted", "reports.results.submitted", "reports.results.accepted"]


def test_an_empty_post_changes_nothing(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.post(doc_url(world, world.branch_a), {})
    assert response.status_code == 200 and "请选择要执行的操作" in response.content.decode()
    assert not ResultsSummary.objects.exists()


# --- stale decisions through the pages -------------------------------------------------------------

@pytest.mark.parametrize("decision", ["accept", "return"])
def test_page_review_of_a_replaced_version_is_refused(world, client, decision):
    u = world.users
    summary = branch_submitted(world)
    url = doc_url(world, world.branch_a)
    seen = seen_in(page(client, u[Role.CITY_STAFF], url))
    results.results_return(actor=u[Role.CITY_STAFF], summary=summary, reason="请核实")
    results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary, remarks="已核实")
    results.results_submit(actor=u[Role.BRANCH_LEADER], summary=summary, reason="核实")
    client.force_login(u[Role.CITY_STAFF])
    response = client.post(url, {"action": decision, "seen": seen, "reason": "数据有误"})
    html = response.content.decode()
    assert response.status_code == 200 and STALE in html and "第2版" in html
    summary.refresh_from_db()
    assert summary.status == ReportStatus.SUBMITTED


def test_page_submission_of_a_changed_draft_is_refused(world, client):
    u = world.users
    summary = results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary_of(world, world.branch_a))
    url = doc_url(world, world.branch_a)
    seen = seen_in(page(client, u[Role.BRANCH_LEADER], url))
    results.results_save_draft(actor=u[Role.BRANCH_STAFF], summary=summary, remarks="改写了情况说明")
    client.force_login(u[Role.BRANCH_LEADER])
    response = client.post(url, {"action": "submit", "seen": seen})
    html = response.content.decode()
    assert response.status_code == 200 and f"内容{STALE}" in html
    assert not ResultsVersion.objects.exists()
    assert client.post(url, {"action": "submit", "seen": seen_in(html)}).status_code == 302


# --- files and versions ----------------------------------------------------------------------------

def test_downloads_and_the_version_page(world, client):
    summary = branch_submitted(world)
    version = summary.versions.get()
    client.force_login(world.users[Role.CITY_LEADER])
    base = reverse("reports:results_download", args=[world.campaign.slug, "evaluation", world.branch_a.pk, "txt"])
    text = client.get(base).content.decode("utf-8")
    assert "表1　评估企业名单" in text and "（签发人：blead；第1版）" in text.replace("经办人：bstaff；", "")
    assert client.get(base + "?v=2").status_code == 404
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(base.replace("/txt/", f"/{fmt}/"))
        assert response.status_code in (200, 302)
        if response.status_code == 200:  # 302: no CJK font on this machine (said on the page)
            assert response.content.startswith(magic)
    html = page(client, world.users[Role.CITY_LEADER], reverse("reports:results_version", args=[version.pk]))
    assert version.digest in html and "第1版" in html and "同县测试企业有限公司" in html

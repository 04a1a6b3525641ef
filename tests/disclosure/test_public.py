"""The public disclosure page (公示): no login; exactly what is approved appears — the campaign's list
(organisation fields), confirmed 评估/验收 results, the sections apps registered — and nothing more:
no personal data, no result still in the chain, no enterprise outside the list."""

import datetime as dt

import pytest
from django.urls import reverse

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.disclosure import sections
from tests.factories import make_enterprise
from tests.querycount import page_queries


def results_part(html: str) -> str:
    return html.split('id="results"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def public(world, monkeypatch):
    from cpaudit.registry.models import Enterprise

    Enterprise.objects.update(contact_person="联系人甲", contact_phone="0312-5550000", legal_representative="法人乙")
    enrolments = {rel: Enrolment.objects.get(campaign=world.campaign, enterprise=e) for rel, e in
                  world.enterprises.items()}
    Application.objects.create(campaign=world.campaign, enrolment=enrolments["own"], kind=Kind.EVALUATION,
                               status=Status.PASSED, passed=True, result_date=dt.date(2020, 8, 1),
                               result_opinion="专家组组长丙认为……")
    Application.objects.create(campaign=world.campaign, enrolment=enrolments["same_county"], kind=Kind.EVALUATION,
                               status=Status.RESULT_PENDING, passed=False)
    Application.objects.create(campaign=world.campaign, enrolment=enrolments["other_county"], kind=Kind.EVALUATION,
                               status=Status.FAILED, passed=False, result_date=dt.date(2020, 8, 2))
    make_enterprise("130602", name="名单外企业有限公司")
    monkeypatch.setitem(sections._SECTIONS, "test", sections.Section(
        "test", "测试公示栏目", 99, "assessment/public_circulars.html",
        lambda campaign: {"circulars": [{"number": "冀环测〔2020〕1号", "title": f"{campaign.year}年公开通报",
                                         "agency": "河北省生态环境厅", "issued_at": None}]}))
    return world


def test_the_page_shows_what_is_approved_and_nothing_more(public, client):
    response = client.get(reverse("disclosure:campaign", args=[public.campaign.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for enterprise in public.enterprises.values():
        assert enterprise.name in html and enterprise.uscc in html
    assert "名单外企业有限公司" not in html
    results = results_part(html)
    assert "自有测试企业有限公司" in results and "通过" in results  # confirmed
    assert "外县测试企业有限公司" in results and "不通过" in results  # confirmed, failed
    assert "同县测试企业有限公司" not in results  # proposed, not yet confirmed by the leader
    assert "测试公示栏目" in html and "2020年公开通报" in html  # a registered section
    for section in sections.sections():
        assert section.title in html
    assert reverse("documents:verify") in html
    # No personal data: contacts, phones, legal representatives, opinions, officials' or users' names.
    for private in ("联系人甲", "0312-5550000", "法人乙", "专家组组长丙", "局长甲", "bstaff", "测试路"):
        assert private not in html, private
    assert reverse("registry:enterprise_list") not in html and "<script" not in html


def test_index_lists_the_campaigns_without_login(public, client):
    response = client.get(reverse("disclosure:index"))
    assert response.status_code == 200
    assert reverse("disclosure:campaign", args=[public.campaign.slug]) in response.content.decode()
    assert client.get(reverse("disclosure:campaign", args=["no-such"])).status_code == 404
    assert client.post(reverse("disclosure:index")).status_code == 405


def test_page_queries_do_not_grow(public, client):
    url = reverse("disclosure:campaign", args=[public.campaign.slug])
    few = page_queries(client, url)
    for n in range(20):
        enterprise = make_enterprise("130602", name=f"公示测试{n}有限公司")
        enrolment = Enrolment.objects.create(campaign=public.campaign, enterprise=enterprise)
        Application.objects.create(campaign=public.campaign, enrolment=enrolment, kind=Kind.EVALUATION,
                                   status=Status.PASSED, passed=True, result_date=dt.date(2020, 8, 3))
    assert page_queries(client, url) == few

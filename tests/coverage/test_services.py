"""Exemptions (proposed with evidence, decided by the county's branch leader, listed apart), enrolling
from the list through the enrolment service (a county outside the basin needs a reason), the
register import and the export, each logged; the page in a fixed number of queries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cpaudit.campaigns.models import CampaignCounty, Enrolment
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.models import ActionLog
from cpaudit.coverage import selectors, services
from cpaudit.coverage.models import Exemption, Register
from cpaudit.org.roles import Role
from tests.factories import make_enterprise, make_user
from tests.querycount import page_queries
from tests.registry.test_excel_support import write_xlsx

TODAY = dt.date(2020, 6, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf():
    return SimpleUploadedFile("停产证明.pdf", PDF, content_type="application/pdf")


def missing_names(user, campaign):
    return {i.name for i in selectors.coverage(user, campaign, today=TODAY).result.missing}


def test_exemption_proposed_then_approved_is_listed_apart(world):
    staff, leader = world.users[Role.BRANCH_STAFF], world.users[Role.BRANCH_LEADER]
    halted = make_enterprise("130602", industry="2221", name="停产纸业有限公司")
    assert "停产纸业有限公司" in missing_names(staff, world.campaign)
    with pytest.raises(ValidationError) as exc:
        services.exemption_propose(actor=staff, campaign=world.campaign, enterprise=halted, name="", county="",
                                   reason="halted", explanation="", uploaded_file=None)
    assert set(exc.value.message_dict) == {"explanation", "evidence"}
    exemption = services.exemption_propose(actor=staff, campaign=world.campaign, enterprise=halted, name="",
                                           county="", reason="halted", explanation="已停产一年", uploaded_file=pdf())
    found = selectors.coverage(staff, world.campaign, today=TODAY).result
    pending = next(i for i in found.missing if i.name == "停产纸业有限公司")  # still 应开展未开展 until approved
    assert pending.notes == ["已停产（待分局负责人审批）"]
    with pytest.raises(PermissionDenied):  # the proposer's role never approves
        services.exemption_decide(actor=staff, exemption=exemption, approve=True)
    other_leader = make_user("lc_leader", Role.BRANCH_LEADER, agency=world.branch_b)
    with pytest.raises(PermissionDenied):  # another county's leader: not in the jurisdiction
        services.exemption_decide(actor=other_leader, exemption=exemption, approve=True)
    with pytest.raises(ValidationError):
        services.exemption_decide(actor=leader, exemption=exemption, approve=False, note="")
    services.exemption_decide(actor=leader, exemption=exemption, approve=True, note="属实")
    found = selectors.coverage(staff, world.campaign, today=TODAY).result
    assert "停产纸业有限公司" not in {i.name for i in found.missing}
    assert [(i.name, i.detail) for i in found.exempted] == [("停产纸业有限公司", "已停产（已批准豁免）")]
    with pytest.raises(InvalidState):
        services.exemption_decide(actor=leader, exemption=exemption, approve=False, note="再议")
    actions = list(ActionLog.objects.filter(object_type="coverage.exemption").values_list("action", flat=True))
    assert actions == ["coverage.exemption.proposed", "coverage.exemption.approved"]


def test_enrol_from_the_list_goes_through_the_enrolment_service(world):
    staff = world.users[Role.BRANCH_STAFF]
    found = make_enterprise("130602", industry="2221", name="待纳入纸业有限公司")
    enrolment = services.coverage_enrol(actor=staff, campaign=world.campaign, enterprise=found, source="平台名录")
    assert enrolment.campaign_id == world.campaign.pk and "待纳入纸业有限公司" not in missing_names(staff, world.campaign)
    assert list(ActionLog.objects.filter(object_id=str(enrolment.pk)).values_list("action", flat=True)) == [
        "campaigns.enrolment.created", "coverage.enrolment.added"]
    CampaignCounty.objects.filter(campaign=world.campaign, county_id="130602").update(in_basin=False)
    outside = make_enterprise("130602", industry="2221", name="流域外纸业有限公司")
    with pytest.raises(ValidationError) as exc:
        services.coverage_enrol(actor=staff, campaign=world.campaign, enterprise=outside)
    assert "scope_reason" in exc.value.message_dict
    enrolment = services.coverage_enrol(actor=staff, campaign=world.campaign, enterprise=outside,
                                        scope_reason="企业自愿开展")
    assert Enrolment.objects.get(pk=enrolment.pk).scope_reason == "企业自愿开展"
    out = {i.name: i.notes for i in selectors.coverage(staff, world.campaign, today=TODAY).result.out_of_scope}
    assert out["流域外纸业有限公司"] == ["纳入理由：企业自愿开展"]
    with pytest.raises(PermissionDenied):
        services.coverage_enrol(actor=world.users[Role.BRANCH_LEADER], campaign=world.campaign,
                                enterprise=make_enterprise("130602", industry="2221"))


def test_register_import_is_kept_and_logged_and_shown(world, login, tmp_path):
    staff = world.users[Role.BRANCH_STAFF]
    path = write_xlsx(tmp_path / "名录.xlsx", [["外部登记印染有限公司", "", "1713", "130602", "是"]],
                      ["企业名称", "统一社会信用代码", "行业代码", "区划代码", "是否涉水"])
    register, read = services.register_import(actor=staff, campaign=world.campaign, path=path, filename="名录.xlsx")
    assert register.rows[0]["name"] == "外部登记印染有限公司" and read.ok
    entry = ActionLog.objects.get(action="coverage.register.imported")
    assert entry.data["rows"] == 1 and entry.data["sm3"] == read.sm3
    assert "外部登记印染有限公司" in missing_names(staff, world.campaign)
    # The city above sees the branch's register; another city's people do not.
    assert selectors.latest_register(world.users[Role.CITY_STAFF], world.campaign) == register
    sjz = make_user("sjz_staff", Role.CITY_STAFF, agency=world.sjz)
    assert selectors.latest_register(sjz, world.campaign) is None
    page = login(staff).get(reverse("coverage:campaign", args=[world.campaign.slug]))
    assert "外部登记印染有限公司" in page.content.decode() and "名录.xlsx" in page.content.decode()
    bad = write_xlsx(tmp_path / "bad.xlsx", [["某公司"]], ["企业名称"])
    assert services.register_import(actor=staff, campaign=world.campaign, path=bad, filename="bad.xlsx")[0] is None
    assert Register.objects.count() == 1


def test_export_writes_every_list_and_is_logged(world, login):
    make_enterprise("130602", industry="2221", name="导出纸业有限公司")
    response = login(world.users[Role.CITY_STAFF]).post(reverse("coverage:export", args=[world.campaign.slug]))
    assert response.status_code == 200
    from io import BytesIO

    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["汇总", "应开展未开展", "已豁免", "已纳入但不在范围内", "已纳入未启动", "已纳入但停滞", "需人工核定"]
    assert [r[1] for r in wb["应开展未开展"].iter_rows(min_row=2, values_only=True)] == ["导出纸业有限公司"]
    entry = ActionLog.objects.get(action="coverage.export.completed")
    assert entry.data["counts"]["missing"] == 1


def test_page_queries_do_not_grow_with_the_data(world, login):
    client = login(world.users[Role.PROVINCE_STAFF])
    url = reverse("coverage:campaign", args=[world.campaign.slug])
    for n in range(3):
        make_enterprise("130602", industry="2221", name=f"少量纸业{n}有限公司")
    few = page_queries(client, url)
    for n in range(30):
        enterprise = make_enterprise("130606", industry="2221", name=f"大量纸业{n}有限公司")
        if n % 2:
            Enrolment.objects.create(campaign=world.campaign, enterprise=enterprise)
    for n in range(5):
        Exemption.objects.create(campaign=world.campaign, name=f"大量纸业{n}有限公司", county_id="130606",
                                 reason="closed", explanation="x", evidence_sm3="0" * 64, evidence_name="a.pdf",
                                 evidence_type="application/pdf", proposed_by=world.users[Role.BRANCH_STAFF],
                                 proposed_at=world.campaign.created_at)
    assert page_queries(client, url) == few


def test_city_page_breaks_down_by_county_and_filters(world, login):
    make_enterprise("130606", industry="2221", name="莲池待纳入纸业有限公司")
    make_enterprise("130602", industry="2221", name="竞秀待纳入纸业有限公司")
    url = reverse("coverage:campaign", args=[world.campaign.slug])
    city = login(world.users[Role.CITY_STAFF])
    html = city.get(url).content.decode()
    assert "分县（市、区）情况" in html and "莲池待纳入纸业有限公司" in html and "竞秀待纳入纸业有限公司" in html
    filtered = city.get(url, {"county": "130606"}).content.decode()
    assert "莲池待纳入纸业有限公司" in filtered and "竞秀待纳入纸业有限公司" not in filtered
    branch = login(world.users[Role.BRANCH_STAFF]).get(url).content.decode()
    assert "分县（市、区）情况" not in branch and "莲池待纳入纸业有限公司" not in branch

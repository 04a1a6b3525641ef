"""The enrolment list behind the dashboard: search, filters, sorting, pagination, and its Excel export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cpaudit.campaigns.models import Enrolment, EnterpriseType
from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Option, OptionCategory, OptionStatus, StepRecord, StepStatus
from cpaudit.registry.models import Enterprise, ManagementLevel
from cpaudit.security.models import SecurityEvent

TODAY = dt.date(2020, 8, 1)


@pytest.fixture
def dash_list(world, dash_build):
    """16 enrolments (stages 0–7 twice) in 竞秀/莲池, 1511/2221, plus the world's five."""
    enrolments = dash_build(world.campaign, 16, name=lambda i: f"清单企业{i:02d}有限公司")
    return world, enrolments


def _get(client, user, campaign, name="progress:enrolment_list", **params):
    client.force_login(user)
    with clock.frozen(TODAY):
        response = client.get(reverse(name, args=[campaign.slug]), params)
    assert response.status_code == 200
    return response


def _names(response) -> list[str]:
    return [e.enterprise.name for e in response.context["page"]]


def test_search_by_name_and_code(dash_list, client):
    world, enrolments = dash_list
    user = world.users[Role.PROVINCE_STAFF]
    assert _names(_get(client, user, world.campaign, q="清单企业03")) == ["清单企业03有限公司"]
    uscc = enrolments[5].enterprise.uscc
    assert _names(_get(client, user, world.campaign, q=f" {uscc.lower()} ")) == ["清单企业05有限公司"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"stage": "0"}, ["清单企业00有限公司", "清单企业08有限公司"]),
    ({"stage": "7"}, ["清单企业07有限公司", "清单企业15有限公司"]),
    ({"stage": "3", "county": "130606"}, ["清单企业03有限公司", "清单企业11有限公司"]),
    ({"stage": "4", "county": "130606"}, []),
    ({"industry": "22", "stage": "5"}, ["清单企业05有限公司", "清单企业13有限公司"]),
    ({"industry": "2221", "stage": "5"}, ["清单企业05有限公司", "清单企业13有限公司"]),
    ({"industry": "15", "stage": "5"}, []),
    ({"stage_done": "6"}, ["清单企业07有限公司", "清单企业15有限公司"]),  # reached 7: stages 1–6 complete
    ({"industry_group": "造纸", "stage": "5"}, ["清单企业05有限公司", "清单企业13有限公司"]),
    ({"industry_group": "酿造", "stage": "5"}, []),
    ({"industry_group": "酿造", "q": "清单", "stage": "4"}, ["清单企业04有限公司", "清单企业12有限公司"]),
    ({"industry_group": "other"}, []),
    ({"started": "1", "q": "清单", "stage": ""}, [f"清单企业{i:02d}有限公司" for i in range(16) if i % 8]),
])
def test_filters(dash_list, client, params, expected):
    world, _ = dash_list
    params = {"q": "清单", **params}
    response = _get(client, world.users[Role.PROVINCE_STAFF], world.campaign, sort="name", **params)
    assert _names(response) == expected


def test_management_level_type_option_complete_stale_filters(dash_list, client):
    world, enrolments = dash_list
    user = world.users[Role.PROVINCE_STAFF]
    Enterprise.objects.filter(pk=enrolments[2].enterprise_id).update(management_level=ManagementLevel.PROVINCIAL)
    Enrolment.objects.filter(pk=enrolments[4].pk).update(enterprise_type=EnterpriseType.DOUBLE_EXCEED)
    assert _names(_get(client, user, world.campaign, management_level="provincial")) == ["清单企业02有限公司"]
    assert _names(_get(client, user, world.campaign, enterprise_type="shuangchao")) == ["清单企业04有限公司"]
    Option.objects.create(enrolment=enrolments[9], name="中水回用", category=OptionCategory.HIGH, investment=80,
                          status=OptionStatus.IMPLEMENTING)
    assert "清单企业09有限公司" in _names(_get(client, user, world.campaign, option_status="implementing"))
    StepRecord.objects.filter(enrolment=enrolments[1]).update(status=StepStatus.COMPLETED)
    StepRecord.objects.bulk_create([StepRecord(enrolment=enrolments[1], step_id=n, status=StepStatus.COMPLETED)
                                    for n in range(2, 36)])
    assert _names(_get(client, user, world.campaign, complete="1")) == ["清单企业01有限公司"]
    # moved 2020-06-01, stale after 30 days; one of them moved recently.
    StepRecord.objects.filter(enrolment=enrolments[3]).update(
        recorded_at=timezone.make_aware(dt.datetime(2020, 7, 30, 9)), reviewed_at=None)
    stale = _names(_get(client, user, world.campaign, stale="1", sort="name"))
    assert "清单企业03有限公司" not in stale and "清单企业01有限公司" not in stale  # moving / finished
    assert "清单企业02有限公司" in stale and "清单企业00有限公司" not in stale  # not started: created now


def test_sorting_and_its_links(dash_list, client):
    world, _ = dash_list
    user = world.users[Role.PROVINCE_STAFF]
    by_stage = _get(client, user, world.campaign, sort="-stage", q="清单")
    stages = [e.reached_stage for e in by_stage.context["page"]]
    assert stages == sorted(stages, reverse=True) and stages[0] == 7
    names = _names(_get(client, user, world.campaign, sort="-name", q="清单"))
    assert names == sorted(names, reverse=True)
    counties = [e.enterprise.county_id for e in _get(client, user, world.campaign, sort="county").context["page"]]
    assert counties == sorted(counties)
    html = _get(client, user, world.campaign, sort="stage", q="清单").content.decode()
    assert 'href="?q=%E6%B8%85%E5%8D%95&amp;sort=-stage"' in html  # clicking again reverses


def test_pagination_and_timeline_links(dash_list, client, settings):
    world, enrolments = dash_list
    settings.CPAUDIT_PAGE_SIZE = 5
    first = _get(client, world.users[Role.PROVINCE_STAFF], world.campaign, q="清单", sort="name")
    assert first.context["page"].paginator.count == 16 and len(first.context["page"]) == 5
    html = first.content.decode()
    assert "page=2" in html and "第 1 / 4 页" in html
    assert reverse("progress:enrolment_progress", args=[enrolments[0].pk]) in html
    last = _get(client, world.users[Role.PROVINCE_STAFF], world.campaign, q="清单", sort="name", page=4)
    assert _names(last) == [f"清单企业{i:02d}有限公司" for i in range(15, 16)]


def test_branch_list_is_its_county_only(dash_list, client):
    world, _ = dash_list
    response = _get(client, world.users[Role.BRANCH_LEADER], world.campaign)
    assert {e.enterprise.county_id for e in response.context["page"]} == {"130602"}
    # Asking for another county gives nothing (and the choice is not even offered).
    assert not response.context["form"].fields["county"].choices[1:] or all(
        code == "130602" for code, _ in response.context["form"].fields["county"].choices[1:])


def test_export_has_the_filtered_rows_and_neutralizes_formulas(dash_list, client):
    world, enrolments = dash_list
    Enterprise.objects.filter(pk=enrolments[3].enterprise_id).update(name="=HYPERLINK(\"http://x\")有限公司")
    response = _get(client, world.users[Role.CITY_STAFF], world.campaign, "progress:enrolment_list_export",
                    stage="3", sort="name")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "企业名称" and "已实施到阶段" in header and "最近进展时间" in header
    assert [r[0] for r in body] == ["'=HYPERLINK(\"http://x\")有限公司", "清单企业11有限公司"]
    stage_col = header.index("已实施到阶段")
    assert {r[stage_col] for r in body} == {"第3阶段 审核"}
    done_col = header.index("已完成步骤（共35步）")
    assert {r[done_col] for r in body} == {10}  # stages 1–2 complete (4 + 6 steps)
    assert {r[header.index("六行业")] for r in body} == {"造纸"}  # 2221 机制纸及纸板制造
    assert isinstance(body[0][header.index("最近进展时间")], dt.datetime)
    # A read: recorded in the security log (who, which campaign, filters, rows), not in the action log.
    assert not ActionLog.objects.filter(action="progress.enrolments.exported").exists()
    event = SecurityEvent.objects.get(kind="read.sensitive", detail__view="progress:enrolment_list_export")
    assert event.user == world.users[Role.CITY_STAFF]
    assert event.detail["rows"] == 2 and event.detail["campaign"] == world.campaign.slug
    assert event.detail["filters"]["stage"] == "3"


def test_export_rows_equal_the_list(dash_list, client):
    world, _ = dash_list
    user = world.users[Role.BRANCH_STAFF]
    listed = _names(_get(client, user, world.campaign, sort="-moved"))
    response = _get(client, user, world.campaign, "progress:enrolment_list_export", sort="-moved")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == listed


def test_invalid_filter_input_is_reported_not_crashing(dash_list, client):
    world, _ = dash_list
    response = _get(client, world.users[Role.PROVINCE_STAFF], world.campaign, industry="abc", stage="9")
    assert response.context["form"].errors
    assert "请输入行业代码前缀" in response.content.decode()

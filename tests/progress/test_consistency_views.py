"""The branch's list of consistency flags (/progress/campaigns/<slug>/consistency/): within the
jurisdiction, filtered by check and county, exported, in a fixed number of queries; linked from the
campaign dashboard."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cpaudit.campaigns.models import Enrolment
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.progress.models import Figures, Option, OptionCategory, OptionStatus
from cpaudit.progress.services import consistency as checks
from cpaudit.security.models import SecurityEvent
from tests.factories import make_enterprise

S = OptionStatus


def _url(world, name="progress:consistency_list"):
    return reverse(name, args=[world.campaign.slug])


def enrolment_of(world, rel):
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[rel])


def claim_without_implementing(enrolment, name="浆料回收"):
    """A benefit claimed for an option still being implemented (one flag)."""
    return Option.objects.create(enrolment=enrolment, name=name, category=OptionCategory.LOW, status=S.IMPLEMENTING,
                                 achieved_water_t=500)


def saving_above_baseline(enrolment):
    """A saving larger than the baseline (one flag)."""
    Figures.objects.create(enrolment=enrolment, kind=Figures.Kind.BASELINE, year=2019, water_use_t=100)
    Option.objects.create(enrolment=enrolment, name="中水回用", category=OptionCategory.LOW, status=S.IMPLEMENTED,
                          actual_date=dt.date(2020, 5, 1), achieved_water_t=300)


def test_branch_sees_its_county_with_the_numbers_compared(world, login):
    claim_without_implementing(enrolment_of(world, "own"))
    saving_above_baseline(enrolment_of(world, "same_county"))
    claim_without_implementing(enrolment_of(world, "other_county"))
    Option.objects.create(enrolment=enrolment_of(world, "dingzhou"), name="照明改造", category=OptionCategory.LOW,
                          status=S.SCREENED, expected_water_t=10)  # nothing to flag
    response = login(world.users[Role.BRANCH_STAFF]).get(_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "自有测试企业有限公司" in html and "同县测试企业有限公司" in html and "外县测试企业有限公司" not in html
    assert "方案「浆料回收」状态为“实施中”，却填报了实际效益：节水500 吨/年" in html
    assert "已实施方案申报的实际节水合计300 吨/年（1项方案），大于审核基准年（2019年）新鲜水用量100 吨" in html
    assert "平衡核算允许偏差 10%" in html
    counts = {label: n for _, label, n in response.context["counts"]}
    assert counts["未实施的方案填报了实际效益"] == 1 and counts["实际节约/削减量大于基准年数值"] == 1
    assert counts["中/高费方案在评估通过前实施"] == 0
    city = login(world.users[Role.CITY_STAFF]).get(_url(world)).content.decode()
    assert "外县测试企业有限公司" in city


def test_filters_by_check_and_by_county(world, login):
    claim_without_implementing(enrolment_of(world, "own"))
    saving_above_baseline(enrolment_of(world, "own"))
    claim_without_implementing(enrolment_of(world, "other_county"))
    client = login(world.users[Role.CITY_STAFF])
    response = client.get(_url(world), {"check": checks.SAVING_EXCEEDS_BASELINE})
    rows = list(response.context["page"])
    assert [r.enrolment.enterprise.name for r in rows] == ["自有测试企业有限公司"]
    assert [f.code for f in rows[0].flags] == [checks.SAVING_EXCEEDS_BASELINE]  # only the chosen check
    counts = {label: n for _, label, n in response.context["counts"]}  # the counts stay those of every check
    assert counts["未实施的方案填报了实际效益"] == 2 and counts["实际节约/削减量大于基准年数值"] == 1
    hrefs = [href for href, _, _ in client.get(_url(world), {"county": "130606"}).context["counts"]]
    assert f"?check={checks.SAVING_EXCEEDS_BASELINE}&county=130606" in hrefs
    response = client.get(_url(world), {"county": "130606"})
    assert [r.enrolment.enterprise.name for r in response.context["page"]] == ["外县测试企业有限公司"]
    response = client.get(_url(world), {"check": "no_such_check"})
    assert list(response.context["page"]) == [] and response.context["form"].errors


def test_the_dashboard_links_to_the_list(world, login):
    html = login(world.users[Role.BRANCH_STAFF]).get(reverse("progress:dashboard", args=[world.campaign.slug]))
    assert _url(world) in html.content.decode()


def _many(world, n):
    for i in range(n):
        enrolment = Enrolment.objects.create(campaign=world.campaign,
                                             enterprise=make_enterprise("130602", name=f"批量{i}有限公司"))
        claim_without_implementing(enrolment)
        saving_above_baseline(enrolment)


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.PROVINCE_STAFF])
def test_query_count_is_fixed(world, login, role):
    client = login(world.users[role])
    _many(world, 2)
    client.get(_url(world))  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(world)).status_code == 200
    _many(world, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(_url(world))
    assert response.context["page"].paginator.count == 32
    assert len(small) == len(large), [q["sql"] for q in large]


def test_export_writes_one_row_per_flag_and_is_recorded_in_the_security_log(world, login):
    claim_without_implementing(enrolment_of(world, "own"))
    saving_above_baseline(enrolment_of(world, "own"))
    claim_without_implementing(enrolment_of(world, "other_county"))
    response = login(world.users[Role.BRANCH_STAFF]).get(_url(world, "progress:consistency_export"),
                                                         {"check": checks.BENEFIT_NOT_IMPLEMENTED})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("企业名称", "统一社会信用代码", "所在县（市、区）", "检查项", "性质", "说明（比较的数值）")
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [("自有测试企业有限公司", "未实施的方案填报了实际效益", "数据矛盾")]
    assert rows[1][5].startswith("方案「浆料回收」状态为“实施中”")
    # A read: recorded in the security log, not in the action log (a GET writes nothing else).
    assert not ActionLog.objects.filter(action="progress.consistency.exported").exists()
    event = SecurityEvent.objects.get(kind="read.sensitive", detail__view="progress:consistency_export")
    assert event.detail["rows"] == 1 and event.detail["filters"] == {"check": checks.BENEFIT_NOT_IMPLEMENTED}


def test_the_application_page_shows_the_flags_as_its_reviewer_sees_them(world, login):
    from cpaudit.applications.models import Application, Kind, Status

    enrolment = enrolment_of(world, "own")
    Option.objects.create(enrolment=enrolment, name="中水回用工程", category=OptionCategory.HIGH, status=S.IMPLEMENTED,
                          actual_date=dt.date(2020, 6, 1))
    Option.objects.create(enrolment=enrolment, name="光伏发电", category=OptionCategory.HIGH, status=S.IMPLEMENTING)
    evaluation = Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.EVALUATION,
                                            status=Status.BRANCH_REVIEW)
    client = login(world.users[Role.BRANCH_STAFF])
    html = client.get(reverse("applications:detail", args=[evaluation.pk])).content.decode()
    assert "中/高费方案「中水回用工程」实际完成日期为2020年6月1日，而本次申请的评估尚未通过" in html
    assert "申请验收时仍有" not in html
    Application.objects.filter(pk=evaluation.pk).update(status=Status.PASSED, passed=True,
                                                        result_date=dt.date(2020, 5, 20))
    acceptance = Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=Kind.ACCEPTANCE,
                                            status=Status.BRANCH_REVIEW)
    html = client.get(reverse("applications:detail", args=[acceptance.pk])).content.decode()
    assert "申请验收时仍有1项中/高费方案未完成：「光伏发电」（实施中）" in html
    assert "中水回用工程" not in html  # implemented after the 评估 passed

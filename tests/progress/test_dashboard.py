"""The dashboard page: its numbers equal the database's counts (computed here independently, from the
step records through services.derived), every number links to its list, the stale list, escaping."""

import datetime as dt
import re
from collections import Counter
from html import unescape
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.org.roles import Role
from cpaudit.progress import industry_groups
from cpaudit.progress.models import Option, OptionStatus, StepRecord
from cpaudit.progress.selectors import dashboards as selectors
from cpaudit.progress.services import derived
from cpaudit.registry.models import Enterprise

TODAY = dt.date(2020, 8, 1)


@pytest.fixture
def dash_data(world, dash_build):
    """33 enrolments over 130602/130606 and two industries, all stages; 5 moved recently (not stale)."""
    recent = timezone.make_aware(dt.datetime(2020, 7, 25, 9))
    dash_build(world.campaign, 28, counties=("130602", "130606", "130682"), industries=("1511", "2221", "1713", "2710"))
    dash_build(world.campaign, 5, moved=recent, reached=lambda i: 3 + i % 2)
    return world


def _reached_by_enrolment(campaign) -> dict[int, int]:
    records = {}
    for record in StepRecord.objects.filter(enrolment__campaign=campaign):
        records.setdefault(record.enrolment_id, []).append(record)
    return {e.pk: derived.reached_stage(records.get(e.pk, [])) for e in Enrolment.objects.filter(campaign=campaign)}


def _page(client, user, campaign, name="progress:dashboard", **params):
    client.force_login(user)
    with clock.frozen(TODAY):
        response = client.get(reverse(name, args=[campaign.slug]), params)
    assert response.status_code == 200
    return response


def test_county_matrix_cells_equal_the_database_counts(dash_data, client):
    campaign = dash_data.campaign
    reached = _reached_by_enrolment(campaign)
    expected = Counter()
    for enrolment in Enrolment.objects.filter(campaign=campaign).select_related("enterprise"):
        expected[(enrolment.enterprise.county_id, reached[enrolment.pk])] += 1
    response = _page(client, dash_data.users[Role.PROVINCE_STAFF], campaign)
    rows = {row["key"]: row for row in response.context["county_rows"]}
    assert set(rows) == {county for county, _ in expected}
    for (county, stage), n in expected.items():
        cell_n, href = rows[county]["cells"][stage]
        assert cell_n == n
        assert href == f"{reverse('progress:enrolment_list', args=[campaign.slug])}?county={county}&stage={stage}"
    # ... and the list behind each cell shows exactly that many enterprises.
    for (county, stage), n in list(expected.items())[:6]:
        listed = _page(client, dash_data.users[Role.PROVINCE_STAFF], campaign, "progress:enrolment_list",
                       county=county, stage=stage)
        assert listed.context["page"].paginator.count == n


def test_industry_matrix_groups_by_major_with_names(dash_data, client):
    campaign = dash_data.campaign
    reached = _reached_by_enrolment(campaign)
    expected = Counter()
    for enrolment in Enrolment.objects.filter(campaign=campaign).select_related("enterprise"):
        expected[(enrolment.enterprise.industry_id[:2], reached[enrolment.pk])] += 1
    response = _page(client, dash_data.users[Role.CITY_STAFF], campaign)
    rows = {row["key"]: row for row in response.context["industry_rows"]}
    # The city sees 竞秀/莲池 (not 定州, not 长安区): recount within its jurisdiction.
    city = Counter()
    for enrolment in Enrolment.objects.filter(campaign=campaign, enterprise__county_id__in=["130602", "130606"]
                                              ).select_related("enterprise"):
        city[(enrolment.enterprise.industry_id[:2], reached[enrolment.pk])] += 1
    assert {k: r["total"] for k, r in rows.items()} == {
        major: sum(n for (m, _), n in city.items() if m == major) for major, _ in city}
    for (major, stage), n in city.items():
        assert rows[major]["cells"][stage][0] == n
    assert rows["15"]["name"] == "酒、饮料和精制茶制造业" and rows["22"]["name"] == "造纸和纸制品业"
    html = response.content.decode()
    assert "17 纺织业" in html and "定州" not in html


def test_six_industry_matrix_in_the_notice_order_with_its_lists(dash_data, client):
    campaign = dash_data.campaign
    Enterprise.objects.filter(pk=dash_data.enterprises["same_county"].pk).update(industry_id="2411")  # 文具制造
    reached = _reached_by_enrolment(campaign)
    expected = Counter()
    for enrolment in Enrolment.objects.filter(campaign=campaign).select_related("enterprise"):
        group = industry_groups.group_of(enrolment.enterprise.industry_id)
        expected[(group if group != industry_groups.OTHER else "other", reached[enrolment.pk])] += 1
    response = _page(client, dash_data.users[Role.PROVINCE_STAFF], campaign)
    rows = response.context["group_rows"]
    # Every one of the six, even 纺织 and 制革 with nobody enrolled, then 其他.
    assert [(r["key"], r["name"]) for r in rows] == [(g, g) for g in industry_groups.GROUPS] + [("other", "其他")]
    by_key = {r["key"]: r for r in rows}
    assert by_key["纺织"]["total"] == by_key["制革"]["total"] == 0 and by_key["other"]["total"] == 1
    for (group, stage), n in expected.items():
        cell_n, href = by_key[group]["cells"][stage]
        assert cell_n == n
        assert href == f"{reverse('progress:enrolment_list', args=[campaign.slug])}?{urlencode({'industry_group': group, 'stage': stage})}"
    assert sum(r["total"] for r in rows) == Enrolment.objects.filter(campaign=campaign).count()
    for (group, stage), n in list(expected.items())[:6]:
        listed = _page(client, dash_data.users[Role.PROVINCE_STAFF], campaign, "progress:enrolment_list",
                       industry_group=group, stage=stage)
        assert listed.context["page"].paginator.count == n
    assert "六行业审核进展" in response.content.decode()


def test_totals_and_completion_rates(dash_data, client):
    campaign = dash_data.campaign
    records = {}
    for record in StepRecord.objects.filter(enrolment__campaign=campaign):
        records.setdefault(record.enrolment_id, []).append(record)
    enrolments = list(Enrolment.objects.filter(campaign=campaign))
    totals = _page(client, dash_data.users[Role.PROVINCE_LEADER], campaign).context["totals"]
    assert totals.enrolled == len(enrolments)
    assert totals.started == sum(1 for e in enrolments if derived.reached_stage(records.get(e.pk, [])) > 0)
    assert totals.not_started == totals.enrolled - totals.started
    for stage in totals.stages:
        done = sum(1 for e in enrolments
                   if (c := derived.stage_completion(records.get(e.pk, []))[stage.number])[0] == c[1])
        assert stage.done == done, stage
        assert stage.reached == sum(1 for e in enrolments
                                    if derived.reached_stage(records.get(e.pk, [])) == stage.number)
    # Stale: started, last moved 2020-06-01 (> 30 days before 08-01); the 5 recent ones and the
    # never-started (created today, real time) are not.
    stale = sum(1 for e in enrolments if records.get(e.pk) and records[e.pk][0].recorded_at.date() < dt.date(2020, 7, 2))
    assert totals.stale == stale > 0


def test_every_number_links_to_its_list(dash_data, client):
    response = _page(client, dash_data.users[Role.PROVINCE_STAFF], dash_data.campaign)
    html = response.content.decode()
    # Every table cell holding a number is a link (the dashboard shows no bare figure).
    for cell in re.findall(r'<td class="num[^"]*">(.*?)</td>', html, re.S):
        assert cell.startswith("<a href=") or cell.strip() in ("—",) or "%" in cell, cell
    listed = reverse("progress:enrolment_list", args=[dash_data.campaign.slug])
    options = reverse("progress:dashboard_options", args=[dash_data.campaign.slug])
    for query in ("?stale=1&amp;sort=moved", "?complete=1", "?started=1", "?stage=0", "?behind=1", "?stage_done=3"):
        assert f'href="{listed}{query}"' in html, query
    assert f'href="{options}?status=implemented&amp;category=low"' in html
    assert f'href="{options}?flagged=1"' in html


def test_option_numbers_match_their_list(dash_data, client):
    campaign = dash_data.campaign
    user = dash_data.users[Role.PROVINCE_STAFF]
    response = _page(client, user, campaign)
    for row in response.context["status_rows"]:
        assert row["n"] == Option.objects.filter(enrolment__campaign=campaign, status=row["status"]).count()
        listed = _page(client, user, campaign, "progress:dashboard_options", status=row["status"])
        assert listed.context["page"].paginator.count == row["n"]
    water = next(r for r in response.context["benefit_rows"] if r["field"] == "water_t")
    implemented = Option.objects.filter(enrolment__campaign=campaign, status=OptionStatus.IMPLEMENTED)
    assert water["achieved"] == sum(o.achieved_water_t or 0 for o in implemented)
    assert "节水（吨/年）" in response.content.decode()


def test_stale_list_shows_the_longest_idle_first_with_a_link_to_all(dash_data, client, settings):
    campaign = dash_data.campaign
    first = Enrolment.objects.filter(campaign=campaign, step_records__isnull=False).order_by("pk").first()
    StepRecord.objects.filter(enrolment=first).update(recorded_at=timezone.make_aware(dt.datetime(2020, 4, 1, 9)),
                                                      reviewed_at=None)
    response = _page(client, dash_data.users[Role.PROVINCE_STAFF], campaign)
    stale = response.context["stale"]
    assert stale[0] == first and len(stale) == selectors.STALE_TOP
    assert stale[0].idle_days == (TODAY - dt.date(2020, 4, 1)).days
    html = response.content.decode()
    assert reverse("progress:enrolment_progress", args=[first.pk]) in html
    assert f"查看全部 {response.context['totals'].stale} 家" in html


def test_branch_sees_only_its_county(dash_data, client):
    response = _page(client, dash_data.users[Role.BRANCH_STAFF], dash_data.campaign)
    assert [row["key"] for row in response.context["county_rows"]] == ["130602"]
    assert response.context["totals"].enrolled == Enrolment.objects.filter(
        campaign=dash_data.campaign, enterprise__county_id="130602").count()


def test_enterprise_name_with_markup_is_escaped(world, client, dash_build):
    evil = '<script>alert("x")</script>恶意企业'
    dash_build(world.campaign, 1, reached=lambda i: 2, name=lambda i: evil)
    for name in ("progress:dashboard", "progress:enrolment_list", "progress:dashboard_options"):
        html = _page(client, world.users[Role.PROVINCE_STAFF], world.campaign, name).content.decode()
        assert "<script" not in html and " style=" not in html and "<style" not in html, name
        assert "&lt;script&gt;alert(" in html, name
        assert evil in unescape(html)
    svg = _page(client, world.users[Role.PROVINCE_STAFF], world.campaign).context["stage_chart"]
    assert svg.startswith("<svg") and "<a href=" in svg


def test_benefits_switch_dimension_and_campaign_rollup(world, client):
    from decimal import Decimal

    from django.urls import reverse

    from cpaudit.campaigns.models import Enrolment
    from cpaudit.org.roles import Role
    from cpaudit.progress.models import Option, OptionStatus

    enrolment = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])
    Option.objects.create(enrolment=enrolment, name="冷凝水回收", category="low", investment=Decimal("2"),
                          status=OptionStatus.IMPLEMENTED, expected_water_t=Decimal("100"),
                          achieved_water_t=Decimal("120"))
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("progress:dashboard", args=[world.campaign.slug])
    html = client.get(url, {"benefits_by": "enterprise"}).content.decode()
    assert "按企业汇总方案效益" in html and world.enterprises["own"].name in html
    html = client.get(url, {"benefits_by": "industry"}).content.decode()
    assert "按行业（大类）汇总方案效益" in html
    html = client.get(reverse("progress:benefits_by_campaign")).content.decode()
    assert world.campaign.name in html and "120" in html


def test_enterprise_benefit_links_count_exactly_that_enterprise(world, client):
    import re
    from decimal import Decimal

    from django.urls import reverse

    from cpaudit.campaigns.models import Enrolment
    from cpaudit.org.roles import Role
    from cpaudit.progress.models import Option

    from ..factories import make_enterprise

    own = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["own"])
    twin = make_enterprise("130602", name=world.enterprises["own"].name.replace("有限公司", "二分厂有限公司"))
    twin_enrolment = Enrolment.objects.create(campaign=world.campaign, enterprise=twin)
    Option.objects.create(enrolment=own, name="甲", category="low", investment=Decimal("1"))
    Option.objects.create(enrolment=twin_enrolment, name="乙", category="low", investment=Decimal("1"))
    client.force_login(world.users[Role.CITY_STAFF])
    html = client.get(reverse("progress:dashboard", args=[world.campaign.slug]),
                      {"benefits_by": "enterprise"}).content.decode()
    pk = world.enterprises["own"].pk
    link = re.search(rf'href="([^"]*enterprise={pk}[^"0-9][^"]*)"', html).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "甲" in listed and ">乙<" not in listed


def test_an_invalid_filter_lists_nothing(world, client):
    from django.urls import reverse

    from cpaudit.org.roles import Role

    client.force_login(world.users[Role.CITY_STAFF])
    html = client.get(reverse("progress:enrolment_list", args=[world.campaign.slug]), {"stage": "x"}).content.decode()
    assert world.enterprises["own"].name not in html

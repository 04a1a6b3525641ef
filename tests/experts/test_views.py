"""The pages: pool list, panel page (draw, check, meeting), my tasks and the score form; query counts."""

import pytest
from django.urls import reverse

from cpaudit.core.models import ActionLog
from cpaudit.experts.models import Panel, Score, ScoreItem
from cpaudit.integrity.models import TieKind
from cpaudit.integrity.services import declaration_submit
from cpaudit.org.roles import Role
from tests.querycount import page_queries

from .helpers import make_expert, make_pool, organizing, put_on_panel

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    return page_queries(client, url)


def _grow_pool(world, n):
    for i in range(n):
        expert = make_expert(environment=i % 2 == 0, industry=i % 2 == 1, user=False)
        expert.industries.set(["1511", "2221"])
        declaration_submit(actor=world.users[Role.PROVINCE_STAFF], expert=expert,
                           ties=[{"kind": TieKind.FAMILY, "enterprise_id": world.enterprises["own"].pk}]
                           if i % 5 == 0 else [])


def test_pool_list_queries_do_not_grow(world, client):
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("experts:expert_list")
    _grow_pool(world, 5)
    few = _count(client, url)
    _grow_pool(world, 45)
    assert _count(client, url) == few


def test_pool_list_filters(world, client):
    make_expert(name="张环境", environment=True)
    make_expert(name="李行业", industry=True, active=False)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("experts:expert_list")
    html = client.get(url, {"speciality": "industry"}).content.decode()
    assert "李行业" in html and "张环境" not in html
    html = client.get(url, {"active": "1"}).content.decode()
    assert "张环境" in html and "李行业" not in html
    html = client.get(url, {"q": "张"}).content.decode()
    assert "张环境" in html and "李行业" not in html


def test_panel_page_queries_do_not_grow(world, client):
    app = organizing(world)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("experts:panel", args=[app.pk])
    draw = {"action": "draw", "size": 3, "min_environment": 1, "min_industry": 1, "reason": "专家因故不能参会"}
    _grow_pool(world, 5)
    client.post(url, draw)
    client.post(url, draw)
    few = _count(client, url + "?verify=1")
    _grow_pool(world, 45)
    client.post(url, draw)
    assert Panel.objects.filter(application=app).count() == 3
    assert _count(client, url + "?verify=1") == few


def test_panel_page_draw_verify_and_meeting(world, client):
    app = organizing(world)
    make_pool(env=2, ind=2, other=2)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("experts:panel", args=[app.pk])
    assert "抽取专家组" in client.get(url).content.decode()
    response = client.post(url, {"action": "draw", "size": 3, "min_environment": 1, "min_industry": 1})
    assert response.status_code == 302
    panel = Panel.objects.get(application=app, is_current=True)
    html = client.get(url + "?verify=1").content.decode()
    assert panel.seed in html and panel.eligible_digest in html and "一致" in html and "不一致" not in html
    response = client.post(url, {"action": "meeting", "meeting_date": "2020-09-01", "meeting_place": "分局会议室",
                                 "opinion": "同意通过"})
    assert response.status_code == 302
    panel.refresh_from_db()
    assert panel.meeting_place == "分局会议室"


def test_not_enough_is_shown_on_the_page(world, client):
    app = organizing(world)
    make_pool(env=1, ind=0, other=0)
    client.force_login(world.users[Role.BRANCH_STAFF])
    response = client.post(reverse("experts:panel", args=[app.pk]),
                           {"action": "draw", "size": 3, "min_environment": 1, "min_industry": 1})
    assert response.status_code == 200 and "可抽取的专家只有1名" in response.content.decode()


def test_other_staff_cannot_draw_from_the_page(world, client):
    app = organizing(world)
    make_pool()
    client.force_login(world.users[Role.CITY_STAFF])
    url = reverse("experts:panel", args=[app.pk])
    assert "抽取专家组</h2>" not in client.get(url).content.decode()
    response = client.post(url, {"action": "draw", "size": 3, "min_environment": 1, "min_industry": 1})
    assert response.status_code == 403 and not Panel.objects.exists()


def test_expert_sees_only_assigned_applications_and_scores(world, client):
    mine, other = organizing(world, "own"), organizing(world, "same_county")
    expert = make_expert(environment=True, user=True)
    stranger = make_expert(environment=True, user=True)
    panel = put_on_panel(mine, [expert, stranger], world.users[Role.BRANCH_STAFF])
    put_on_panel(other, [stranger], world.users[Role.BRANCH_STAFF])
    client.force_login(expert.user)
    tasks = client.get(reverse("experts:my_tasks")).content.decode()
    assert world.enterprises["own"].name in tasks and world.enterprises["same_county"].name not in tasks
    assert client.get(reverse("experts:panel", args=[other.pk])).status_code == 404
    page = client.get(reverse("experts:panel", args=[mine.pk])).content.decode()
    assert "随机种子" not in page  # the draw record stays with the government
    theirs = panel.members.get(expert=stranger)
    assert client.get(reverse("experts:score", args=[theirs.pk])).status_code == 404
    member = panel.members.get(expert=expert)
    items = ScoreItem.objects.filter(sheet=panel.sheet)
    data = {f"item_{i.pk}": str(i.max_points) for i in items if not i.is_veto}
    # The page binds the score to what it showed (the version and the enterprise's figures).
    data["seen"] = client.get(reverse("experts:score", args=[member.pk])).context["form"]["seen"].value()
    response = client.post(reverse("experts:score", args=[member.pk]), {**data, "opinion": "同意"})
    assert response.status_code == 302
    assert Score.objects.get(member=member).total == 100
    bad = {**data, f"item_{items.exclude(is_veto=True).first().pk}": "999"}
    response = client.post(reverse("experts:score", args=[member.pk]), bad)
    assert response.status_code == 200 and ActionLog.objects.filter(action="experts.score.resubmitted").count() == 0


def test_pool_keeping_pages(world, client):
    client.force_login(world.users[Role.PROVINCE_STAFF])
    response = client.post(reverse("experts:expert_create"), {"name": "赵工", "employer": "河北大学",
                                                              "environment": "on", "active": "on",
                                                              "industry_codes": "1511，2221"})
    assert response.status_code == 302
    expert = ActionLog.objects.get(action="experts.expert.created")
    response = client.post(reverse("experts:expert_create"), {"name": "钱工", "employer": "x", "active": "on"})
    assert response.status_code == 200 and "请至少选择一个专业" in response.content.decode()
    assert client.get(reverse("experts:expert_detail", args=[expert.object_id])).status_code == 200
    response = client.post(reverse("experts:scoresheet_edit", args=[world.campaign.slug, "acceptance"]), {
        "name": "验收表", "pass_mark": "70", "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
        "items-0-text": "方案实施", "items-0-max_points": "100", "items-1-text": "弄虚作假", "items-1-is_veto": "on"})
    assert response.status_code == 302
    assert "验收表" in client.get(reverse("experts:scoresheet_list")).content.decode()

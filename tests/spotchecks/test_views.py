"""The spot-check pages: drawing from the page, confidentiality before the check date, the verify
page, recording findings and closing a rectification, query budgets."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.campaigns.models import Enrolment
from cpaudit.core import clock
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from cpaudit.spotchecks.models import Plan, PlanStatus, Rectification, RectificationStatus

from ..factories import make_enterprise
from ..querycount import page_queries
from .helpers import CHECK_DAY, make_inspector, make_plan


def _drawn_through_the_page(world, client, **overrides):
    for _ in range(2):
        make_inspector(world.province)
    plan = make_plan(world, **overrides)
    client.force_login(world.users[Role.PROVINCE_STAFF])
    response = client.post(reverse("spotchecks:plan_detail", args=[plan.pk]), {"action": "draw"})
    assert response.status_code == 302
    return Plan.objects.get(pk=plan.pk)


def test_create_a_plan_from_the_page(world, client):
    client.force_login(world.users[Role.CITY_STAFF])
    response = client.post(reverse("spotchecks:plan_create"), {
        "campaign": world.campaign.pk, "title": "保定市第一次抽查", "counties": ["130602", "130606"],
        "share_percent": "5", "count": "1", "share_late": "20", "per_enterprise": "2", "check_date": "2020-09-10"})
    plan = Plan.objects.get(title="保定市第一次抽查")
    assert response.status_code == 302 and plan.agency == world.baoding and plan.strata == {"late": "20"}


def test_a_drawn_plan_cannot_be_drawn_again_from_the_page(world, client):
    plan = _drawn_through_the_page(world, client)
    assert plan.status == PlanStatus.DRAWN and plan.items.count() == 5
    before = ActionLog.objects.count()
    response = client.post(reverse("spotchecks:plan_detail", args=[plan.pk]), {"action": "draw"}, follow=True)
    assert "不能重新抽取" in response.content.decode()
    assert ActionLog.objects.count() == before and Plan.objects.get(pk=plan.pk).seed == plan.seed
    page = client.get(reverse("spotchecks:plan_verify", args=[plan.pk])).content.decode()
    assert "复核一致" in page and plan.seed in page


def test_before_the_check_date_only_the_organizers_see_the_list(world, client):
    plan = _drawn_through_the_page(world, client)
    item = plan.items.get(enterprise=world.enterprises["own"])
    urls = [reverse("spotchecks:plan_detail", args=[plan.pk]), reverse("spotchecks:item_detail", args=[item.pk]),
            reverse("spotchecks:plan_verify", args=[plan.pk])]
    client.force_login(world.users[Role.BRANCH_STAFF])
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert plan.title not in client.get(reverse("spotchecks:plan_list")).content.decode()
    client.force_login(world.users[Role.PROVINCE_LEADER])
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    with clock.frozen(CHECK_DAY):
        client.force_login(world.users[Role.BRANCH_STAFF])
        assert [client.get(url).status_code for url in urls] == [200, 200, 200]
        page = client.get(urls[0]).content.decode()
        assert world.enterprises["own"].name in page and world.enterprises["other_county"].name not in page


def test_findings_and_a_rectification_through_the_pages(world, client):
    plan = _drawn_through_the_page(world, client, counties=["130602"])
    item = plan.items.get(enterprise=world.enterprises["own"])
    inspector = item.assignments.first().inspector
    with clock.frozen(CHECK_DAY):
        client.force_login(inspector)
        url = reverse("spotchecks:item_detail", args=[item.pk])
        response = client.post(url, {"action": "findings", "options_outcome": "conform", "figures_outcome": "nonconform",
                                     "figures_note": "台账缺失", "equipment_outcome": "conform"})
        assert response.status_code == 302
        response = client.post(url, {"action": "rectify", "requirement": "补齐台账", "deadline": "2020-10-01"})
        assert response.status_code == 302
        task = Rectification.objects.get(item=item)
        client.force_login(world.users[Role.BRANCH_STAFF])
        response = client.post(reverse("spotchecks:rectification_detail", args=[task.pk]),
                               {"action": "close", "note": "已核实"})
        assert response.status_code == 302
    assert Rectification.objects.get(pk=task.pk).status == RectificationStatus.CLOSED


def test_the_plan_page_costs_the_same_whatever_the_number_of_enterprises(world, client):
    small = _drawn_through_the_page(world, client)
    for _ in range(12):
        Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise("130602"))
    large = _drawn_through_the_page(world, client, title="大方案")
    assert large.items.count() == 17
    client.force_login(world.users[Role.PROVINCE_STAFF])
    url = "spotchecks:plan_detail"
    assert page_queries(client, reverse(url, args=[small.pk])) == page_queries(client, reverse(url, args=[large.pk]))


def test_the_rectification_list_and_my_inspections_cost_the_same_whatever_their_length(world, client):
    import datetime as dt

    for _ in range(12):
        Enrolment.objects.create(campaign=world.campaign, enterprise=make_enterprise("130602"))
    plan = _drawn_through_the_page(world, client, counties=["130602"])
    items = list(plan.items.all())
    inspector = items[0].assignments.first().inspector
    branch = world.users[Role.BRANCH_STAFF]
    with clock.frozen(CHECK_DAY):
        def add(item):
            Rectification.objects.create(item=item, enterprise=item.enterprise, requirement="整改",
                                         deadline=dt.date(2020, 10, 1), opened_by=inspector, opened_at=plan.drawn_at)
        add(items[0])
        client.force_login(branch)
        few = page_queries(client, reverse("spotchecks:rectification_list"))
        client.force_login(inspector)
        few_mine = page_queries(client, reverse("spotchecks:my_items"))
        item_page = page_queries(client, reverse("spotchecks:item_detail", args=[items[0].pk]))
        for item in items[1:]:
            add(item)
        client.force_login(branch)
        assert page_queries(client, reverse("spotchecks:rectification_list")) == few
        client.force_login(inspector)
        assert page_queries(client, reverse("spotchecks:my_items")) == few_mine
        assert page_queries(client, reverse("spotchecks:item_detail", args=[items[0].pk])) == item_page


def test_the_draft_shows_what_a_draw_would_take_and_a_replacement_plan_from_the_page(world, client):
    for _ in range(2):
        make_inspector(world.province)
    plan = make_plan(world, share_percent="40")
    client.force_login(world.users[Role.PROVINCE_STAFF])
    client.get(reverse("spotchecks:plan_detail", args=[plan.pk]))  # the session's first request
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("spotchecks:plan_detail", args=[plan.pk])).content.decode()
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE",
                                                                                              "DELETE"))]
    assert all("django_session" in sql for sql in writes)  # the preview reads only
    assert "一般企业5家，抽取2家" in page and "可抽取检查人员2名" in page
    client.post(reverse("spotchecks:plan_detail", args=[plan.pk]), {"action": "draw"})
    url = reverse("spotchecks:plan_create") + f"?replaces={plan.pk}"
    form = {"title": "重新抽取", "counties": ["130602"], "share_percent": "100", "count": "0", "per_enterprise": "2",
            "check_date": "2020-09-10"}
    assert "重新抽取原因" in client.post(url, form).content.decode()  # the reason is required
    assert not Plan.objects.filter(title="重新抽取").exists()
    response = client.post(url, {**form, "reason": "原定检查人员出差"})
    new = Plan.objects.get(title="重新抽取")
    assert response.status_code == 302 and new.replaces_id == plan.pk and new.reason == "原定检查人员出差"
    assert client.get(reverse("spotchecks:plan_create") + "?replaces=x").status_code == 404

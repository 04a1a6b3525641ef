"""The public page (公示, no login) shows the approved spot-check results and nothing more: not a plan
drawn but not approved, no inspector, no person's name; its cost does not grow with the results."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.core import clock
from cpaudit.org.roles import Role
from cpaudit.spotchecks import services

from .helpers import CHECK_DAY, make_inspector, make_plan

CLEAN = {"options": ("conform", ""), "figures": ("conform", ""), "equipment": ("conform", "")}


def _approved(world, counties, title):
    plan = services.plan_draw(actor=world.users[Role.PROVINCE_STAFF],
                              plan=make_plan(world, counties=counties, title=title))
    with clock.frozen(CHECK_DAY):
        for item in plan.items.all():
            services.findings_record(actor=item.assignments.first().inspector, item=item, results=CLEAN)
        return services.plan_approve(actor=world.users[Role.PROVINCE_LEADER], plan=plan)


def _page(client, world):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("disclosure:campaign", args=[world.campaign.slug]))
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_the_public_page_shows_only_approved_results(world, client):
    inspectors = [make_inspector(world.province) for _ in range(2)]
    _approved(world, ["130602"], "已审定的抽查")
    services.plan_draw(actor=world.users[Role.PROVINCE_STAFF], plan=make_plan(world, counties=["130606"],
                                                                             title="未审定的抽查"))
    html, first = _page(client, world)
    section = html[html.index('id="section-spotchecks"'):]
    section = section[:section.index("</section>")]
    assert "已审定的抽查" in section and world.enterprises["own"].name in section
    assert "未审定的抽查" not in section and world.enterprises["other_county"].name not in section
    assert all(u.full_name not in html for u in inspectors)
    assert world.users[Role.PROVINCE_LEADER].full_name not in section
    _approved(world, ["130606", "130102", "130682"], "第二次抽查")
    html, second = _page(client, world)
    assert "第二次抽查" in html and second == first

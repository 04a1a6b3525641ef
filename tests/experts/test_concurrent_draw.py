"""Two staff drawing the same application's panel at once (issue 12: a refused action always shows its
reason). The page posts the panel it showed; a panel drawn by someone else meanwhile is refused as such —
before the "a redraw needs a reason" check, which told the loser of two first draws the wrong reason."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cpaudit.core.errors import InvalidState
from cpaudit.experts import services
from cpaudit.experts.models import Panel
from cpaudit.org.roles import Role

from ..factories import declare, make_user
from .helpers import make_pool, organizing

DRAWN_BY_OTHERS = "专家组已由他人抽取"
DRAW = {"action": "draw", "size": 3, "min_environment": 1, "min_industry": 1}


@pytest.fixture
def two_staff(world):
    other = make_user("bstaff2", Role.BRANCH_STAFF, agency=world.branch_a)
    declare(other)
    return world.users[Role.BRANCH_STAFF], other


def test_the_service_names_a_draw_made_meanwhile(world, two_staff):
    app = organizing(world)
    make_pool()
    first, second = two_staff
    panel = services.panel_draw(actor=first, application=app, seen="")
    with pytest.raises(InvalidState) as info:
        services.panel_draw(actor=second, application=app, seen="")  # its page showed no panel
    assert info.value.code == "stale" and info.value.message.startswith(DRAWN_BY_OTHERS)
    assert "须填写原因" not in info.value.message.split("；")[0]
    # A deliberate redraw of the panel the page showed still needs its reason, and then works.
    with pytest.raises(InvalidState) as info:
        services.panel_draw(actor=second, application=app, seen=str(panel.pk))
    assert info.value.code == "reason_required"
    assert services.panel_draw(actor=second, application=app, seen=str(panel.pk), reason="专家因故不能参会")
    assert Panel.objects.filter(application=app).count() == 2


def test_the_page_shows_the_loser_why(world, two_staff):
    app = organizing(world)
    make_pool()
    url = reverse("experts:panel", args=[app.pk])
    clients = []
    for user in two_staff:
        client = Client()
        client.force_login(user)
        seen = re.search(r'name="seen_panel" value="([^"]*)"', client.get(url).content.decode())[1]
        assert seen == ""  # both pages show no panel yet
        clients.append(client)
    assert clients[0].post(url, {**DRAW, "seen_panel": ""}).status_code == 302
    response = clients[1].post(url, {**DRAW, "seen_panel": ""}, follow=True)
    html = response.content.decode()
    assert DRAWN_BY_OTHERS in html and "重新抽取须填写原因（" not in html
    assert Panel.objects.filter(application=app).count() == 1


def test_two_draws_at_the_same_moment(world, two_staff, transactional_db, django_db_serialized_rollback):
    app = organizing(world)
    make_pool()
    url = reverse("experts:panel", args=[app.pk])
    clients = []
    for user in two_staff:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    start, pages = threading.Barrier(2), [None, None]

    def draw(index):
        try:
            start.wait(timeout=30)
            pages[index] = clients[index].post(url, {**DRAW, "seen_panel": ""}, follow=True).content.decode()
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Panel.objects.filter(application=app).count() == 1
    told = sorted(("已抽取专家组" in page, DRAWN_BY_OTHERS in page) for page in pages)
    assert told == [(False, True), (True, False)], told

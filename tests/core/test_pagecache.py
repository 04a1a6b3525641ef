"""Heavy pages kept until the next logged change (core.pagecache): a repeat is served from the cache,
and nothing served from it is stale, someone else's, from another day, or refused to its reader."""

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpaudit.core import clock, pagecache
from cpaudit.core.log import log_action
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.registry.services import enterprise_update

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.CPAUDIT_PAGE_CACHE = "pages"
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def served_from_cache(response) -> bool:
    return getattr(response, "served_from_cache", False)


def without_tokens(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html.decode())


def test_a_repeat_is_served_from_the_cache_with_the_same_page_and_fewer_queries(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("registry:enterprise_list")
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url)
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert not served_from_cache(first) and served_from_cache(second)
    assert without_tokens(second.content) == without_tokens(first.content)
    assert world.enterprises["own"].name in second.content.decode()
    assert len(second_queries) < len(first_queries)


def test_a_logged_change_is_seen_at_once(world, client):
    staff = world.users[Role.BRANCH_STAFF]
    client.force_login(staff)
    url = reverse("registry:enterprise_list")
    client.get(url)
    enterprise_update(actor=staff, enterprise=world.enterprises["own"], data={"name": "改名后的测试企业有限公司"})
    response = client.get(url)
    assert not served_from_cache(response)
    assert "改名后的测试企业有限公司" in response.content.decode()
    assert served_from_cache(client.get(url))


def test_a_change_logged_by_anyone_anywhere_moves_the_key(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("registry:enterprise_list")
    client.get(url)
    with transaction.atomic():
        log_action(actor=world.users[Role.CITY_STAFF], action="registry.enterprise.updated",
                   obj=world.enterprises["other_city"])
    assert not served_from_cache(client.get(url))


def test_another_user_of_the_same_unit_gets_a_page_of_their_own(world, client):
    staff = world.users[Role.BRANCH_STAFF]
    leader = world.users[Role.BRANCH_LEADER]
    assert staff.agency_id == leader.agency_id
    url = reverse("registry:enterprise_list")
    client.force_login(staff)
    client.get(url)
    other = Client()
    other.force_login(leader)
    response = other.get(url)
    assert response.status_code == 200 and not served_from_cache(response)


def test_what_the_layout_shows_of_the_reader_is_never_stale(world, client):
    """Name, unread notifications: changes nobody logs (a notification read) still change the page."""
    from cpaudit.reports.models import Notification

    staff = world.users[Role.BRANCH_STAFF]
    client.force_login(staff)
    url = reverse("registry:enterprise_list")
    client.get(url)
    User.objects.filter(pk=staff.pk).update(full_name="改了名字的科员")
    response = client.get(url)
    assert not served_from_cache(response) and "改了名字的科员" in response.content.decode()
    Notification.objects.create(user=staff, text="一条新通知")
    response = client.get(url)
    assert not served_from_cache(response)
    assert re.search(r'通知<span class="badge warn">1</span>', response.content.decode())
    assert served_from_cache(client.get(url))
    Notification.objects.filter(user=staff).update(read_at=clock.server_now())  # read: nothing logged
    response = client.get(url)  # the page kept before the notification came is right again
    assert 'class="badge warn"' not in response.content.decode() and "改了名字的科员" in response.content.decode()


def test_a_waiting_message_is_shown_once_by_the_view(world, client):
    staff = world.users[Role.BRANCH_STAFF]
    client.force_login(staff)
    url = reverse("registry:enterprise_list")
    client.get(url)
    assert served_from_cache(client.get(url))
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    storage = CookieStorage(HttpRequest())
    storage.add(constants.SUCCESS, "已保存测试消息")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    response = client.get(url)
    assert not served_from_cache(response) and "已保存测试消息" in response.content.decode()
    response = client.get(url)
    assert served_from_cache(response) and "已保存测试消息" not in response.content.decode()


def test_another_day_is_another_page(world, client, monkeypatch):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("registry:enterprise_list")
    client.get(url)
    tomorrow = clock.today() + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    assert not served_from_cache(client.get(url))


def test_another_address_is_another_page(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("registry:enterprise_list")
    client.get(url)
    response = client.get(url, {"q": "自有"})
    assert not served_from_cache(response)
    assert "同县测试企业有限公司" not in response.content.decode()


def test_a_kept_page_is_not_served_to_a_user_who_lost_the_permission(world, client):
    """A hit checks the view's permission again, even after a change nobody logged."""
    auditor = world.users[Role.AUDIT_ADMIN]
    client.force_login(auditor)
    url = reverse("log_list")
    client.get(url)
    assert served_from_cache(client.get(url))
    User.objects.filter(pk=auditor.pk).update(role=Role.BRANCH_STAFF)
    assert client.get(url).status_code == 403


def test_the_token_of_a_form_in_a_kept_page_is_the_readers_and_works(world):
    auditor = world.users[Role.AUDIT_ADMIN]
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    url = reverse("log_list")
    client.get(url)
    response = client.get(url)
    assert served_from_cache(response)
    html = response.content.decode()
    assert pagecache.CSRF_MARK not in html
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 2  # the logout form (layout) and 校验日志链 (kept content)
    verify = client.post(reverse("log_verify"), {"csrfmiddlewaretoken": tokens[-1]})
    assert verify.status_code == 200


def test_only_a_successful_get_is_kept(world, client):
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("log_list")
    assert client.get(url).status_code == 403
    assert client.get(url).status_code == 403
    assert len(caches["pages"]._cache) == 0


def test_switched_off_nothing_is_kept(world, client, settings):
    settings.CPAUDIT_PAGE_CACHE = ""
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("registry:enterprise_list")
    client.get(url)
    assert not served_from_cache(client.get(url))


def test_the_generation_moves_with_the_log_and_tells_histories_apart(world):
    before = pagecache.generation()
    with transaction.atomic():
        log_action(actor=world.users[Role.CITY_STAFF], action="registry.enterprise.updated",
                   obj=world.enterprises["own"])
    after = pagecache.generation()
    assert after != before
    seq, digest = after.split("-")
    assert int(seq) > 0 and len(digest) == 16


def kept_pages(world):
    """(address, reader) of every page that uses the cache."""
    slug = world.campaign.slug
    return [
        (reverse("registry:enterprise_list"), Role.BRANCH_STAFF),
        (reverse("progress:enrolment_list", args=[slug]), Role.CITY_STAFF),
        (reverse("progress:dashboard", args=[slug]), Role.PROVINCE_STAFF),
        (reverse("reports:branch_report", args=[slug, dt.date(2020, 6, 1), world.branch_a.pk]), Role.BRANCH_STAFF),
        (reverse("reports:city_overview", args=[slug, dt.date(2020, 6, 1), world.baoding.pk]), Role.CITY_STAFF),
        (reverse("applications:index"), Role.CITY_STAFF),
        (reverse("log_list"), Role.AUDIT_ADMIN),
    ]


def test_every_kept_page_writes_nothing_on_get_and_is_kept(world, client):
    """What the cache skips on a hit must be a pure read: a GET moves no log, and the repeat is a hit
    with the same page."""
    for url, role in kept_pages(world):
        client.force_login(world.users[role])
        before = pagecache.generation()
        first = client.get(url)
        assert first.status_code == 200, url
        assert pagecache.generation() == before, url
        second = client.get(url)
        assert served_from_cache(second), url
        assert without_tokens(second.content) == without_tokens(first.content), url


def test_the_list_of_kept_pages_is_complete():
    """A view that starts using the cache is added to kept_pages above (and to docs/PERFORMANCE.md)."""
    from django.urls import get_resolver

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            elif getattr(pattern.callback, "cached_page", False):
                yield pattern.callback.__name__

    assert sorted(walk(get_resolver().url_patterns)) == sorted(
        ["enterprise_list", "enrolment_list", "dashboard", "branch_report", "city_overview", "index", "log_list"])

"""One way to read a number from the query string: ASCII digits within bounds, or a 4xx."""

import pytest
from django.core.exceptions import BadRequest
from django.http import Http404

from cpaudit.core.params import MAX_INT, parse_int, query_int


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), ("007", 7), (str(MAX_INT), MAX_INT), ("²", None), ("٣", None), ("1.0", None), (" 1", None),
    ("-1", None), ("0", None), ("+1", None), ("1\x00", None), (str(MAX_INT + 1), None), ("9" * 400, None),
    ("", None), ("１", None),
])
def test_parse_int(text, expected):
    assert parse_int(text) == expected


def test_query_int(rf):
    assert query_int(rf.get("/", {"v": "3"}), "v") == 3
    assert query_int(rf.get("/"), "v") is None and query_int(rf.get("/", {"v": ""}), "v") is None
    with pytest.raises(BadRequest, match="参数“v”应为1至"):
        query_int(rf.get("/", {"v": "²"}), "v")
    with pytest.raises(Http404):
        query_int(rf.get("/", {"v": "x"}), "v", error=Http404("没有这个版本"))


@pytest.mark.parametrize(("version", "status"), [("²", 404), ("٣", 404), ("99999999999999999999", 404),
                                                 ("-1", 404), ("1\x00", 400)])  # NUL: core.middleware
def test_odd_versions_are_a_4xx_not_a_500(world, client, version, status):
    from django.urls import reverse

    from cpaudit.org.roles import Role
    from tests.applications.docfixtures import make_application

    application = make_application(world)
    client.force_login(world.users[Role.BRANCH_STAFF])
    url = reverse("applications:form_download", kwargs={"pk": application.pk, "fmt": "pdf"})
    assert client.get(url, {"version": version}).status_code == status

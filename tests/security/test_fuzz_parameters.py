"""No input gives a 500: every GET URL of the authorization matrix, opened by a role that may see it,
with its path parameters and the query parameters its view reads replaced by odd values — odd unicode
(superscript and other scripts' digits, full-width forms), NUL, huge numbers, bad dates, unknown enum
values. The answer is below 500, and a 4xx page says why in Chinese. Bounded (hypothesis, a few
examples per URL) so the run stays within about two minutes; it runs on SQLite and on PostgreSQL
(which refuses NUL in text where SQLite does not).
"""

import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cpaudit.org.roles import Role
from tests.test_authorization_matrix import MATRIX, job_kwargs

EXAMPLES = 6
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Names worth trying on every page (pagination, return address, versions), besides those the view reads.
COMMON = ["page", "next", "v", "version"]

ODD = st.sampled_from([
    "²", "٣", "１２", "-1", "0", "99999999999999999999999999", "1e999", "NaN", "\x00", "a\x00b", "%00",
    "2020-02-30", "0000-00-00", "9999-12-31", "2020-13", "2020-1", "１９９９-０１-０１", "no_such_value",
    "' OR 1=1 --", "<script>", "\u202e", "\ud7ff", "𝟙", "" , " ", "../../etc/passwd", "x" * 2000,
])
VALUE = st.one_of(ODD, st.text(max_size=30), st.integers(min_value=-(10**30), max_value=10**30).map(str))


def _reader_of(client, url) -> set[str]:
    """The query parameter names the view reads (with one dummy parameter so filter forms bind)."""
    names: set[str] = set()
    originals = {attr: getattr(MultiValueDict, attr) for attr in ("get", "getlist", "__getitem__", "__contains__")}

    def spy(attr):
        def read(self, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return originals[attr](self, key, *args, **kwargs)

        return read

    try:
        for attr in originals:
            setattr(MultiValueDict, attr, spy(attr))
        client.get(url, {"_probe": "1"})
    finally:
        for attr, original in originals.items():
            setattr(MultiValueDict, attr, original)
    return {n for n in names if not n.startswith(("_", "csrf"))}


def _who(name):
    """A role that gets the page (200) on its own object, else one that is not refused outright."""
    builder, expect, method = MATRIX[name]
    rel = "own" if builder is not None else "-"
    statuses = {role: expect(role, rel) for role in Role}
    return next((r for r, s in statuses.items() if s == 200), None) or next(
        (r for r, s in statuses.items() if s != 403), Role.BRANCH_STAFF)


GET_URLS = sorted(name for name, (_, _, method) in MATRIX.items() if method == "get")


@pytest.mark.parametrize("name", GET_URLS)
def test_odd_parameters_never_give_a_500(world, client, name):
    builder = MATRIX[name][0]
    role = _who(name)
    user = world.users[role]
    if builder is None:
        kwargs = {}
    elif builder == "job":
        kwargs = job_kwargs(world, "own", user)
    else:
        kwargs = builder(world, "own")
    client.force_login(user)
    params = sorted(_reader_of(client, reverse(name, kwargs=kwargs)) | set(COMMON))

    first = (sorted(kwargs) or ["-"])[0]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @example(query={"page": "a\x00b", "version": "²", "v": "٣"}, path=(first, "\x00"))
    @example(query={"page": "9" * 30, "next": "//evil.example"}, path=(first, "9" * 30))
    @given(query=st.dictionaries(st.sampled_from(params), VALUE, min_size=1, max_size=4),
           path=st.one_of(st.none(), st.tuples(st.sampled_from(sorted(kwargs) or ["-"]), VALUE)))
    def probe(query, path):
        fuzzed = dict(kwargs)
        if path is not None and path[0] in fuzzed:
            fuzzed[path[0]] = path[1]
        try:
            url = reverse(name, kwargs=fuzzed)
        except NoReverseMatch:  # the URL pattern itself refuses the value: no view sees it
            url = reverse(name, kwargs=kwargs)
        response = client.get(url, query)
        assert response.status_code < 500, (name, role.value, url, query)
        if 400 <= response.status_code < 500 and response.get("Content-Type", "").startswith("text/html"):
            assert CHINESE.search(response.content.decode("utf-8", "replace")), (name, url, query)

    probe()

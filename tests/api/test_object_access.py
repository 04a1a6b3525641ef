"""Object-level authorization between two enterprises of the same county: enterprise A never reads nor
changes enterprise B's objects through any operation of the API, and the other way round. Every
operation that names an object (in its path or its body) is tried with the other enterprise's object;
the answer is a refusal (403/404, or 400 for an object named in a body) that does not contain the other
enterprise's name or code, and nothing is logged. Lists never include the other enterprise's objects."""

from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role
from tests.factories import make_user

from .api_matrix import MATRIX
from .conftest import ApiClient, secret_for
from .objects import populate
from .test_api_matrix import _request, operations

LISTS = [path for method, path in sorted(operations()) if method == "GET" and "{" not in path]
# The campaign is both enterprises': reading it is allowed, its list must still hold only one's own.
SHARED = {("GET", "/api/v1/campaigns/{slug}"), ("GET", "/api/v1/campaigns/{slug}/enrolments")}


def _identities(world):
    b_user = make_user("ent_b", Role.ENTERPRISE, enterprise=world.enterprises["same_county"])
    return [("A", world.users[Role.ENTERPRISE], "same_county", world.enterprises["same_county"]),
            ("B", b_user, "own", world.enterprises["own"])]


def _leaks(response, enterprise) -> bool:
    text = response.content.decode()
    return enterprise.name in text or enterprise.uscc in text


def test_every_operation_on_an_object_is_tried():
    named = {op for op, (builder, _) in MATRIX.items() if builder is not None}
    assert {op for op in operations() if "{" in op[1]} <= named


def test_an_enterprise_never_reaches_the_other_enterprises_objects(world, client):
    populate(world)
    refusals = 0
    for who, user, other_rel, other in _identities(world):
        reader = ApiClient(client, secret_for(user))
        for (method, path), (builder, _) in sorted(MATRIX.items()):
            if builder is None:
                continue
            built = builder(world, other_rel)
            before = ActionLog.objects.count()
            response = _request(reader, method, path, built)
            allowed = (400, 403, 404, 200) if (method, path) in SHARED else (400, 403, 404)
            assert response.status_code in allowed, (who, method, path, response.content[:300])
            assert not _leaks(response, other), (who, method, path)
            assert ActionLog.objects.count() == before, (who, method, path)
            refusals += 1
    assert refusals >= 2 * 25


def test_an_enterprise_reads_its_own_objects(world, client):
    """The same detail reads succeed on the enterprise's own objects (the refusals above are not
    refusals of everything)."""
    ids = populate(world)
    reader = ApiClient(client, secret_for(world.users[Role.ENTERPRISE]))
    for kind, path in (("enterprise", "/enterprises"), ("enrolment", "/enrolments"), ("step", "/steps"),
                       ("option", "/options"), ("application", "/applications")):
        response = reader.get(f"{path}/{ids[kind, 'own']}")
        assert response.status_code == 200, path
        assert response.json()["id"] == ids[kind, "own"]


def test_lists_hold_only_the_enterprises_own_objects(world, client):
    populate(world)
    for who, user, _, other in _identities(world):
        reader = ApiClient(client, secret_for(user))
        for path in LISTS:
            response = reader.get(path.removeprefix("/api/v1"), **(
                {"campaign": world.campaign.slug, "kind": "evaluation"} if path.endswith("/waiting") else {}))
            assert response.status_code in (200, 403), (who, path)
            assert not _leaks(response, other), (who, path)
        own = reader.get("/enterprises").json()
        assert own["count"] == 1 and own["results"][0]["id"] == user.enterprise_id

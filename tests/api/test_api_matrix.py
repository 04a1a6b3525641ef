"""Every API operation × every role × relation, through a personal token (api_matrix.MATRIX), and a
check that the matrix names every operation of the OpenAPI document: a new operation without
authorization expectations fails here (the page matrix leaves the api-v1 namespace to this test)."""

import pytest

from cpaudit.api.api import api
from cpaudit.org.roles import Role

from .api_matrix import MATRIX, RELATIONS
from .conftest import ApiClient, secret_for

METHODS = ("get", "post", "put", "patch", "delete")


def operations() -> set[tuple[str, str]]:
    document = api.get_openapi_schema(path_prefix="/api/v1")
    return {(method.upper(), path) for path, item in document["paths"].items() for method in METHODS
            if method in item}


def test_every_operation_is_in_the_matrix():
    documented = operations()
    assert len(documented) >= 30
    assert sorted(documented - set(MATRIX)) == [], "API operations without authorization expectations"
    assert sorted(set(MATRIX) - documented) == [], "the matrix names operations that no longer exist"


def _request(client, method, template, built):
    path = template.removeprefix("/api/v1")
    for name, value in (built.get("path") or {}).items():
        path = path.replace("{" + name + "}", str(value))
    if method == "GET":
        return client.get(path, **(built.get("query") or {}))
    return getattr(client, method.lower())(path, built.get("body") or {})


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=[f"{m} {p}" for m, p in sorted(MATRIX)])
def test_api_matrix(world, client, method, path):
    builder, expect = MATRIX[(method, path)]
    wrong = []
    for role in Role:
        api_client = ApiClient(client, secret_for(world.users[role]))
        for rel in RELATIONS if builder is not None else ["-"]:
            built = builder(world, rel) if builder is not None else {}
            response = _request(api_client, method, path, built)
            expected = expect(role, rel)
            if response.status_code != expected:
                wrong.append(f"{role.value} {rel}: {response.status_code} (expected {expected}) "
                             f"{response.content.decode()[:200]}")
            elif response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] and error["message"] and isinstance(error["fields"], dict)
    assert not wrong, "\n".join(wrong)


def test_no_token_is_401_everywhere(world, client):
    anonymous = ApiClient(client, None)
    for method, path in sorted(MATRIX):
        builder, _ = MATRIX[(method, path)]
        built = builder(world, "own") if builder is not None else {}
        response = _request(anonymous, method, path, built)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "token_missing"
        assert response["WWW-Authenticate"].startswith("Bearer")

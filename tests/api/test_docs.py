"""The OpenAPI document and the description page: served without login, the page under the platform's
Content Security Policy with no script, no style and nothing from another host, naming every operation;
any other address under /api/ answers in the API's error shape."""

from cpaudit.core.middleware import CSP
from cpaudit.org.roles import Role

from .conftest import ApiClient, secret_for
from .test_api_matrix import operations


def test_the_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.") and document["info"]["title"] == "清洁生产审核管理平台接口"
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    error = document["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]


def test_the_docs_page_needs_no_script_and_no_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    html = response.content.decode()
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for method, path in operations():
        assert f"{method} {path}" in html, (method, path)


def test_unknown_api_addresses_answer_in_the_error_shape(client):
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found" and response["Cache-Control"] == "no-store"


def test_a_body_too_large_is_refused_in_the_error_shape(world, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = ApiClient(client, secret_for(world.users[Role.BRANCH_STAFF]))
    response = api.post("/enterprises", {"name": "企" * 2000})
    assert response.status_code == 400 and response.json()["error"]["code"] == "too_large"


def test_a_request_refused_before_any_view_is_in_the_error_shape(world, client):
    api = ApiClient(client, secret_for(world.users[Role.BRANCH_STAFF]))
    response = api.get("/enterprises", q="a\x00b")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "bad_request"
    page = client.get("/registry/?q=a%00b")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")

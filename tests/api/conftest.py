"""Fixtures of the API tests: a token per role of the standard world (tests/factories.py), and a client
that sends one."""

import json

import pytest

from cpaudit.api import tokens


class ApiClient:
    """Django's test client with an Authorization header and JSON bodies."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _send(self, method, path, body=None, **query):
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        elif query:
            kwargs["data"] = query
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, **query):
        return self._send("get", path, **query)

    def post(self, path, body=None):
        return self._send("post", path, {} if body is None else body)

    def put(self, path, body=None):
        return self._send("put", path, {} if body is None else body)

    def patch(self, path, body=None):
        return self._send("patch", path, {} if body is None else body)


def secret_for(user, name="测试") -> str:
    return tokens.token_create(actor=user, name=name)[1]


@pytest.fixture
def api_as(client):
    """api_as(user) → an ApiClient acting with a fresh token of `user` (None: no token)."""

    def make(user):
        return ApiClient(client, secret_for(user) if user is not None else None)

    return make

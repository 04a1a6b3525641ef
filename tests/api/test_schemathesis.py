"""Schemathesis drives the API from its own OpenAPI document, as two enterprise users and one branch
staff member: no answer is a 5xx, every answer has a status, content type and body the document
declares, and data the document says is wrong is refused. Examples per operation are bounded (EXAMPLES)
so the run takes about a minute; ids are small numbers, so the generated requests reach real objects
of the world (tests/api/objects.py) as well as missing ones."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from cpaudit.org.roles import Role
from tests.factories import make_user

from .conftest import secret_for
from .objects import populate

EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 3}
# Random ids seldom name an object: a third pass fixes each path's id to a real object of the kind the
# path names, one the identity may see (its own enterprise's, or for the branch the "own" relation).
KINDS = {"enterprises": "enterprise", "enrolments": "enrolment", "steps": "step", "options": "option",
         "reports": "report", "applications": "application", "batches": "batch"}
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance, negative_data_rejection],
}


@pytest.fixture
def app():
    """Django's WSGI handler inside the test's transaction: the request signals must not close the
    test's connection (Django's test client disconnects them the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _identities(world) -> dict[str, tuple[str, str]]:
    """name → (token, the relation whose objects it sees)."""
    other = make_user("ent_b", Role.ENTERPRISE, enterprise=world.enterprises["same_county"])
    return {"enterprise A": (secret_for(world.users[Role.ENTERPRISE]), "own"),
            "enterprise B": (secret_for(other), "same_county"),
            "branch staff": (secret_for(world.users[Role.BRANCH_STAFF]), "own")}


def real_parameters(operation, ids: dict, world, rel: str) -> dict | None:
    """The path parameters naming real objects of the relation, or None for a path without any."""
    params = {}
    segments = operation.path.removeprefix("/api/v1/").split("/")
    for name, segment in zip(segments, segments[1:], strict=False):
        if segment == "{slug}":
            params["slug"] = world.campaign.slug
        elif segment == "{pk}":
            params["pk"] = ids[KINDS[name], rel]
        elif segment == "{number}":
            params["number"] = 3
    return params or None


def _run(operation, mode, secret, path_parameters=None) -> None:
    headers = {"Authorization": f"Bearer {secret}"}

    @settings(max_examples=EXAMPLES[mode], deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS[mode])

    check()


@pytest.mark.django_db
def test_the_api_keeps_to_its_schema(world, app, settings):
    # Negative cases send malformed tokens by the hundred: without this the client address would be
    # locked after a few (the lockout itself: test_tokens.py) and the rest would be refusals.
    settings.CPAUDIT_LOGIN_MAX_FAILURES = 1_000_000
    ids = populate(world)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for who, (secret, rel) in _identities(world).items():
        for operation in operations:
            real = real_parameters(operation, ids, world, rel)
            runs = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
            if real:
                runs.append((GenerationMode.POSITIVE, real))
            for mode, path_parameters in runs:
                try:
                    _run(operation, mode, secret, path_parameters)
                except Exception as exc:  # collect them all: one report of every operation that fails
                    failures.append(f"{who} {operation.label} {mode.value} {path_parameters or ''}: {exc}")
    assert not failures, "\n\n".join(failures)

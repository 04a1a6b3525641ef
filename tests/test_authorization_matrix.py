"""Every non-public URL × every role × (own / same county / other county / other city).

The expectations here are written from authority.md, independently of cpaudit.org.access: a view
that forgets to scope or to check shows up as a wrong status. A new URL that is not in MATRIX fails
`test_every_url_is_in_the_matrix`.
"""

import re

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cpaudit.campaigns.models import Enrolment
from cpaudit.jobs.models import Job
from cpaudit.org.roles import Role
from cpaudit.registry.models import ConsultingAgency

from .factories import make_uscc

PUBLIC = {"login", "logout", "documents:verify"}  # verify: tests/documents/test_verify_page.py
PUBLIC |= {"org:activate"}  # an invited person's first password: tests/org/test_views.py
PUBLIC |= {"disclosure:index", "disclosure:campaign"}  # 公示: tests/disclosure/test_public.py
RELATIONS = ["own", "same_county", "other_county", "other_city"]

GOV = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER}
STAFF = {Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF}
BUSINESS = GOV | {Role.ENTERPRISE, Role.CONSULTANT}
SEES = {  # which of the world's enterprises each role sees (authority.md § Roles)
    Role.ENTERPRISE: {"own"},
    Role.CONSULTANT: {"own"},
    Role.BRANCH_STAFF: {"own", "same_county"},
    Role.BRANCH_LEADER: {"own", "same_county"},
    Role.CITY_STAFF: {"own", "same_county", "other_county"},
    Role.CITY_LEADER: {"own", "same_county", "other_county"},
    Role.PROVINCE_STAFF: set(RELATIONS),
    Role.PROVINCE_LEADER: set(RELATIONS),
}


def role_only(allowed_roles, ok=200):
    return lambda role, rel: ok if role in allowed_roles else 403


def object_rule(view_roles, act_roles):
    """404 outside what the role sees (existence is not disclosed), 403 inside without the right."""

    def rule(role, rel):
        if role not in view_roles:
            return 403
        if rel not in SEES.get(role, set()):
            return 404
        return 200 if role in act_roles else 403

    return rule


def enterprise_kwargs(w, rel):
    return {"pk": w.enterprises[rel].pk}


def enrolment_kwargs(w, rel):
    return {"pk": Enrolment.objects.get(enterprise=w.enterprises[rel], campaign=w.campaign).pk}


def campaign_kwargs(w, rel):
    return {"slug": w.campaign.slug}


def consulting_kwargs(w, rel):
    if rel == "own":
        return {"pk": w.consulting.pk}
    other, _ = ConsultingAgency.objects.get_or_create(name="另一家咨询机构", defaults={"uscc": make_uscc()})
    return {"pk": other.pk}


def job_kwargs(w, rel, user):
    """A finished export with its file: its creator may open and download it, nobody else."""
    from cpaudit.jobs.services import job_dir

    owner = user if rel == "own" else w.users[Role.PROVINCE_STAFF if user.role != Role.PROVINCE_STAFF
                                                 else Role.BRANCH_STAFF]
    (job_dir() / "matrix.xlsx").write_bytes(b"PK")
    job = Job.objects.create(kind="registry.export", created_by=owner, status=Job.Status.DONE,
                             result_file="matrix.xlsx", result_filename="matrix.xlsx")
    return {"pk": job.pk}


def consulting_rule(role, rel):
    if role not in BUSINESS:
        return 403
    if role in (Role.CONSULTANT, Role.ENTERPRISE) and rel != "own":
        return 404
    return 200 if role in STAFF else 403


def campaign_view_rule(role, rel):
    return 200 if role in BUSINESS else 403


def job_rule(role, rel):
    return 200 if rel == "own" else 404


def job_download_rule(role, rel):
    return 200 if rel == "own" else 404


# url name → (kwargs builder or None, expectation(role, relation) → status, method)
MATRIX = {
    "home": (None, lambda role, rel: 200, "get"),
    "log_list": (None, role_only({Role.AUDIT_ADMIN}), "get"),
    "log_export": (None, role_only({Role.AUDIT_ADMIN}), "get"),
    "org:agency_list": (None, role_only({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}), "get"),
    "org:user_list": (None, role_only({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}), "get"),
    "registry:enterprise_list": (None, role_only(BUSINESS), "get"),
    "registry:enterprise_create": (None, role_only(STAFF), "get"),
    "registry:enterprise_detail": (enterprise_kwargs, object_rule(BUSINESS, BUSINESS), "get"),
    "registry:enterprise_edit": (enterprise_kwargs, object_rule(BUSINESS, STAFF | {Role.ENTERPRISE}), "get"),
    "registry:enterprise_export": (None, role_only(GOV, ok=302), "post"),
    "registry:enterprise_import": (None, role_only({Role.BRANCH_STAFF, Role.CITY_STAFF}), "get"),
    "registry:enterprise_template": (None, role_only({Role.BRANCH_STAFF, Role.CITY_STAFF}), "get"),
    "registry:consulting_list": (None, role_only(BUSINESS), "get"),
    "registry:consulting_create": (None, role_only(STAFF), "get"),
    "registry:consulting_edit": (consulting_kwargs, consulting_rule, "get"),
    "campaigns:campaign_list": (None, role_only(BUSINESS), "get"),
    "campaigns:campaign_create": (None, role_only({Role.CITY_STAFF, Role.PROVINCE_STAFF}), "get"),
    "campaigns:campaign_detail": (campaign_kwargs, campaign_view_rule, "get"),
    "campaigns:campaign_edit": (campaign_kwargs, role_only({Role.CITY_STAFF, Role.PROVINCE_STAFF}), "get"),
    "campaigns:enrolment_create": (campaign_kwargs, role_only(STAFF), "get"),
    "campaigns:enrolment_edit": (enrolment_kwargs, object_rule(BUSINESS, STAFF), "get"),
    "jobs:job_detail": ("job", job_rule, "get"),
    "jobs:job_download": ("job", job_download_rule, "get"),
}


def _contributions():
    """Matrix rows contributed by an area's own module: tests/<app>/matrix_*.py defining MATRIX with the
    same shape (builders receive the world and the relation; "job" is not available there)."""
    import importlib
    from pathlib import Path

    rows = {}
    for path in sorted(Path(__file__).parent.glob("*/matrix_*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        rows.update(module.MATRIX)
        POSTED.extend(getattr(module, "POSTED", []))
        ELSEWHERE.update(getattr(module, "COVERED_ELSEWHERE", ()))
    return rows


POSTED: list[str] = []
# URL names (or "namespace:*") an area's module says its own tests cover: the REST API under /api/ is
# token-authenticated (401, not a login redirect) and has its own matrix (tests/api/test_api_matrix.py).
ELSEWHERE: set[str] = set()
MATRIX.update(_contributions())


def _names(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"unnamed URL pattern {pattern.pattern}: name it and add it to the matrix")
            yield prefix + pattern.name


def test_every_url_is_in_the_matrix():
    names = set(_names(get_resolver()))
    missing = sorted(n for n in names - PUBLIC - set(MATRIX)
                     if n not in ELSEWHERE and f"{n.split(':')[0]}:*" not in ELSEWHERE)
    assert not missing, f"URLs without authorization expectations: {missing}"
    assert not (set(MATRIX) - names), "matrix names URLs that no longer exist"


class _Undo(Exception):
    """Raised to roll a cell's savepoint back: what one role's request changed never reaches the next."""


def cells(name):
    """Every (role, relation) of a URL: relations only for URLs about an object."""
    return [(role, rel) for role in Role for rel in (RELATIONS if MATRIX[name][0] is not None else ["-"])]


def each_cell(name, check) -> list[str]:
    """Run check(role, rel) → problem or None for every cell, each in a savepoint rolled back after it
    (the world is built once per URL, not once per cell); the problems of all cells, to report together."""
    problems = []
    for role, rel in cells(name):
        try:
            with transaction.atomic():
                problem = check(role, rel)
                raise _Undo
        except _Undo:
            pass
        if problem:
            problems.append(f"{role.value} {rel}: {problem}")
    return problems


# Inline script or style (the CSP forbids them); a script file of our own origin (src=) is allowed.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(world, client, name):
    builder, expect, method = MATRIX[name]

    def check(role, rel):
        user = world.users[role]
        if builder is None:
            kwargs = {}
        elif builder == "job":
            kwargs = job_kwargs(world, rel, user)
        else:
            kwargs = builder(world, rel)
        client.force_login(user)
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        if response.status_code != expect(role, rel):
            return f"{response.status_code}（应为 {expect(role, rel)}）"
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            if INLINE.search(response.content.decode()):
                return "页面含内联脚本或样式"
        return None

    problems = each_cell(name, check)
    assert not problems, f"{name}:\n" + "\n".join(problems)


# Pages whose form is submitted with POST: an empty submission must meet the same gate as the page
# (403/404 before any processing) and, where allowed, come back with errors and change nothing.
POSTED += ["registry:enterprise_create", "registry:enterprise_edit", "registry:enterprise_import",
          "registry:consulting_create", "registry:consulting_edit", "campaigns:campaign_create",
          "campaigns:campaign_edit", "campaigns:enrolment_create", "campaigns:enrolment_edit"]


@pytest.mark.parametrize("name", sorted(set(POSTED)))
def test_matrix_post(world, client, name):
    from cpaudit.core.models import ActionLog

    builder, expect, _ = MATRIX[name]

    def check(role, rel):
        kwargs = builder(world, rel) if builder is not None else {}
        client.force_login(world.users[role])
        before = ActionLog.objects.count()  # the login itself is not logged by force_login
        response = client.post(reverse(name, kwargs=kwargs), {})
        if response.status_code != expect(role, rel):
            return f"{response.status_code}（应为 {expect(role, rel)}）"
        if ActionLog.objects.count() != before:
            return "空提交写入了操作日志"
        return None

    problems = each_cell(name, check)
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(world, client, name):
    builder, _, method = MATRIX[name]
    if builder is None:
        kwargs = {}
    elif builder == "job":
        kwargs = job_kwargs(world, "own", world.users[Role.BRANCH_STAFF])
    else:
        kwargs = builder(world, "own")
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and reverse("login") in response["Location"]

import datetime as dt
import io
import sys

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.chain import verify_entries
from cpaudit.core.models import ActionLog
from cpaudit.demo import data as demo
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import AgencyKind, Role
from cpaudit.registry.industries import six_industry_codes
from cpaudit.registry.models import ConsultingAgency, Enterprise
from cpaudit.registry.uscc import is_valid

MODELS = [Agency, User, ConsultingAgency, Enterprise, Campaign, Enrolment, ActionLog]


def run_load(*args) -> str:
    out = io.StringIO()
    call_command("load-demo", "--allow-non-sqlite", "--port", "8000", *args, stdout=out)
    return out.getvalue()


def account_table(output: str) -> str:
    return output[output.index("演示账号："):]


@pytest.fixture
def loaded(demo_once, db):
    return demo_once  # loaded once for the module (tests/demo/conftest.py)


def test_enterprises_cover_every_county_and_industry_group(loaded):
    assert Enterprise.objects.count() >= 60
    counties = set(Enterprise.objects.values_list("county_id", flat=True))
    assert counties == {code for code, _ in demo.baoding_counties()}
    assert {"130682", "130629", "130632", "130638"} <= counties  # 定州 and the three 雄安 counties
    group_of = {code: group for group, code in six_industry_codes()}
    groups = {group_of[code] for code in Enterprise.objects.values_list("industry_id", flat=True)}
    assert groups == {"酿造", "制药", "印染", "纺织", "制革", "造纸"}
    levels = set(Enterprise.objects.values_list("management_level", flat=True))
    assert levels == {"provincial", "municipal", "other"}


def test_every_role_has_a_demo_account_and_all_are_demo(loaded):
    users = User.objects.all()
    assert {u.role for u in users} == {r.value for r in Role}
    assert all(u.is_demo for u in users)
    assert users.filter(role=Role.ENTERPRISE).values("enterprise").distinct().count() >= 2
    assert users.filter(role=Role.EXPERT).count() >= 2
    assert users.filter(role=Role.BRANCH_STAFF, is_inspector=True).count() == 1
    for user in users:
        user.full_clean()  # role ↔ agency/enterprise/consulting agency binding holds
    assert f"密码（所有演示账号）：{demo.PASSWORD}" in loaded
    assert "访问 http://127.0.0.1:8000/ 登录" in loaded
    # The people who only appear as names on demo decisions cannot log in (and are not printed).
    for user in users:
        assert (user.username in loaded) == user.has_usable_password()


def test_second_run_changes_nothing(loaded):
    counts = [m.objects.count() for m in MODELS]
    passwords = dict(User.objects.values_list("username", "password"))
    again = run_load()
    assert [m.objects.count() for m in MODELS] == counts
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "未作任何修改" in again
    assert account_table(again) == account_table(loaded)


def test_dingzhou_has_four_distinct_people_at_the_direct_county_agency(loaded):
    names = ["dz_staff", "dz_leader", "dz_city_staff", "dz_city_leader"]
    users = list(User.objects.filter(username__in=names).select_related("agency"))
    assert len(users) == 4
    roles = {Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER}
    assert {u.role for u in users} == roles
    assert len({u.pk for u in users}) == 4 and len({u.full_name for u in users}) == 4
    agency = Agency.objects.get(division_id="130682")
    assert agency.kind == AgencyKind.DIRECT_COUNTY
    assert agency.supervisor.kind == AgencyKind.PROVINCE
    assert {u.agency_id for u in users} == {agency.pk}


def test_agencies(loaded):
    city = Agency.objects.get(name="保定市生态环境局")
    assert city.supervisor.name == "河北省生态环境厅"
    branches = Agency.objects.filter(kind=AgencyKind.COUNTY, supervisor=city)
    assert set(branches.values_list("division_id", flat=True)) == {
        code for code, _ in demo.baoding_counties() if code != "130682"
    }
    assert Agency.objects.get(division_id="130602").name == "保定市生态环境局竞秀区分局"
    assert Agency.objects.filter(name="雄安新区管理委员会生态环境局", kind=AgencyKind.CITY).exists()
    for agency in Agency.objects.all():
        assert agency.head_name and agency.deputy_name and agency.section_chief_name and agency.phone


def test_both_campaigns_exist_and_2020_is_closed(loaded):
    history = Campaign.objects.get(slug="byd2020")
    assert history.status == Campaign.Status.CLOSED
    assert history.document_number == "冀环办字函〔2020〕202号"
    assert history.evaluation_deadline == dt.date(2020, 8, 20)
    assert history.acceptance_deadline == dt.date(2020, 11, 20)
    assert 40 <= history.enrolments.count() <= 50
    assert not history.enrolments.filter(end_date__isnull=True).exists()
    today = clock.today()
    current = Campaign.objects.get(slug=f"byd{today.year}")
    assert current.status == Campaign.Status.ACTIVE
    assert current.name.startswith(f"{today.year}年白洋淀流域")
    # The seed's dates, unless they are near or past: then moved ahead so "days left" stays live.
    assert current.evaluation_deadline >= min(dt.date(today.year, 8, 20), today + dt.timedelta(days=30))
    assert current.acceptance_deadline > current.evaluation_deadline
    if today <= dt.date(today.year, 7, 20):
        assert current.acceptance_deadline == dt.date(today.year, 11, 20)
    assert 45 <= current.enrolments.count() <= 55
    starts = current.enrolments.values_list("start_date", flat=True)
    assert all(today - dt.timedelta(days=250) <= s <= today - dt.timedelta(days=28) for s in starts)
    assert {"entrusted", "self"} == set(current.enrolments.values_list("mode", flat=True))
    in_basin = dict(history.county_links.values_list("county_id", "in_basin"))
    assert len(in_basin) == len(demo.baoding_counties())
    assert in_basin["130624"] is False and in_basin["130602"] is True


def test_uscc_codes_valid_except_the_accepted_one(loaded):
    accepted = Enterprise.objects.filter(uscc_check_accepted=True)
    assert accepted.count() == 1
    assert not is_valid(accepted.get().uscc)
    for uscc in Enterprise.objects.filter(uscc_check_accepted=False).values_list("uscc", flat=True):
        assert is_valid(uscc), uscc
    assert Enterprise.objects.exclude(uscc__startswith="91").count() >= 2
    for uscc in ConsultingAgency.objects.values_list("uscc", flat=True):
        assert is_valid(uscc)


def test_load_is_recorded_in_the_action_log(loaded):
    entries = ActionLog.objects.all()
    actions = set(entries.values_list("action", flat=True))
    assert {"org.agency.created", "org.user.created", "registry.enterprise.created",
            "campaigns.campaign.created",
            "campaigns.enrolment.created"} <= actions
    # Everything is the system actor's, but the demo monthly reports and applications: those are
    # written by the people the chains require (demo/reports_data.py, demo/applications_data.py), who
    # first file their declarations of interest (integrity/demo.py).
    chains = ("reports.", "applications.", "experts.panel", "experts.score", "integrity.declaration",
              "documents.document.issued",  # a submitted report is issued by its submitter (documents)
              "coverage.exemption",  # proposed and approved by the branch's people (demo/coverage_data.py)
              "spotchecks.",  # planned, drawn, inspected and approved by their people (demo/spotchecks_data.py)
              "assessment.")  # circular, summons, extension by the people who decide (demo/assessment_data.py)
    system = entries
    for prefix in chains:
        system = system.exclude(action__startswith=prefix)
    assert set(system.values_list("actor_name", flat=True)) == {"系统（load-demo）"}
    assert not entries.filter(action__startswith="applications.", actor_role="system").exists()
    assert set(entries.filter(action__startswith="reports.").values_list("actor_role", flat=True)) <= {
        "branch_staff", "branch_leader", "city_staff", "city_leader",
        "province_staff"}  # the province accepts the results summaries sent to it (demo/reports_data.py)
    assert entries.filter(action="registry.enterprise.created", data__uscc_check_accepted=True).count() == 1
    assert entries.filter(action="org.user.created").count() == User.objects.count()
    assert len(set(entries.values_list("group", flat=True))) == 1
    assert verify_entries(entries.order_by("seq")).ok


def test_production_backend_refuses_demo_accounts(loaded, settings):
    assert authenticate(username="jx_staff", password=demo.PASSWORD) is not None
    settings.CPAUDIT_DEMO_MODE = False
    assert authenticate(username="jx_staff", password=demo.PASSWORD) is None
    assert authenticate(username="sysadmin", password=demo.PASSWORD) is None


class FakeWorker:
    started: list = []
    terminated = 0

    def __init__(self, args):
        FakeWorker.started.append(args)
        self.pid = 4242

    def poll(self):
        return None

    def terminate(self):
        FakeWorker.terminated += 1

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def fake_serve(monkeypatch):
    from cpaudit.demo.management.commands import serve

    FakeWorker.started, FakeWorker.terminated = [], 0
    monkeypatch.setattr(serve.subprocess, "Popen", FakeWorker)
    return FakeWorker


def test_serve_runs_worker_and_gunicorn_on_port_from_settings(fake_serve, settings):
    settings.CPAUDIT_PORT = 8123  # from the environment's PORT (tests/test_settings.py)
    call_command("serve", stdout=io.StringIO())
    worker, server = FakeWorker.started
    assert worker == [sys.executable, "-m", "cpaudit.manage", "worker"]
    assert server[:5] == [sys.executable, "-m", "gunicorn", "cpaudit.wsgi:application", "--bind"]
    assert server[5] == "127.0.0.1:8123"
    assert FakeWorker.terminated == 2


def test_serve_stops_the_worker_when_the_server_fails(fake_serve, monkeypatch):
    monkeypatch.setattr(FakeWorker, "wait", lambda self, timeout=None: 3)  # gunicorn: worker failed to boot
    monkeypatch.setattr(FakeWorker, "poll", lambda self: None)
    with pytest.raises(CommandError, match="退出码 3"):
        call_command("serve", "--port", "8001", stdout=io.StringIO())
    assert FakeWorker.terminated == 2



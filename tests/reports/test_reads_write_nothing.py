"""No GET changes data: opening any reports page (monthly reports and results summaries, or downloading
a file) as any government role leaves every row of every table as it was (sessions aside), even for a
report or summary nobody has started, and `cpaudit monthly-report` writes its file without creating a
report row."""

import io

from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cpaudit.org.roles import Role
from cpaudit.reports.models import MonthlyReport, ResultsSummary

from . import matrix_reports, matrix_results

GOV = [Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
       Role.PROVINCE_LEADER]
RELATIONS = ["own", "other_county", "other_city"]
# Sessions, and the security log, which records refused requests and file downloads by design (an
# access log, not business data: cpaudit.security).
SKIPPED = {"sessions.session", "security.securityevent"}


def every_row() -> dict:
    return {model._meta.label_lower: list(model._default_manager.order_by("pk").values())
            for model in apps.get_models() if model._meta.label_lower not in SKIPPED}


def reports_get_urls(world) -> list[str]:
    """Every reports URL opened with GET, for each relation (the matrix's builders make the rows a
    page needs: a submitted version, a scan), plus the other formats of a download."""
    urls = []
    matrix = {**matrix_reports.MATRIX, **matrix_results.MATRIX}
    for name, (builder, _, method) in sorted(matrix.items()):
        if method != "get":
            continue
        for rel in RELATIONS if builder is not None else ["-"]:
            kwargs = builder(world, rel) if builder is not None else {}
            urls.append(reverse(name, kwargs=kwargs))
            if name in ("reports:download", "reports:results_download"):
                urls += [reverse(name, kwargs={**kwargs, "fmt": fmt}) for fmt in ("docx", "pdf")]
                urls.append(reverse(name, kwargs=kwargs) + "?v=1")
    # A city's consolidation and a branch report nobody has started, in a month with no rows at all.
    urls.append(reverse("reports:city_overview", args=[world.campaign.slug, "2020-04", world.baoding.pk]))
    urls.append(reverse("reports:branch_report", args=[world.campaign.slug, "2020-04", world.branch_b.pk]))
    urls.append(reverse("reports:download", args=[world.campaign.slug, "2020-04", world.baoding.pk, "txt"]))
    # Results summaries nobody has started: a city's consolidation and 定州's (straight to the province).
    for agency in (world.baoding, world.dingzhou):
        urls.append(reverse("reports:results_document", args=[world.campaign.slug, "acceptance", agency.pk]))
        urls.append(reverse("reports:results_download", args=[world.campaign.slug, "acceptance", agency.pk, "txt"]))
    urls.append(reverse("reports:results_list", args=[world.campaign.slug, "acceptance"]))
    return urls


def test_every_reports_page_reads_without_writing(world):
    urls = reports_get_urls(world)
    assert any(u.endswith("/pdf/") for u in urls) and any("/results/versions/" in u for u in urls)
    clients = {}
    for role in GOV:
        clients[role] = Client()
        clients[role].force_login(world.users[role])  # the login itself records last_login: before the snapshot
    before = every_row()
    assert MonthlyReport.objects.count() >= 1 and ResultsSummary.objects.count() >= 1  # the matrix builders' rows
    statuses = set()
    for client in clients.values():
        for url in urls:
            statuses.add(client.get(url).status_code)
    assert 200 in statuses and 404 in statuses  # pages were read (and some refused) …
    after = every_row()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"a GET changed {changed}"  # … and nothing was written


def test_monthly_report_command_creates_no_row(world, tmp_path, settings):
    settings.CPAUDIT_TODAY = "2020-05-20"
    out = tmp_path / "r.txt"
    call_command("monthly-report", "--unit", "130602", "--campaign", world.campaign.slug, "--month", "2020-05",
                 "--format", "txt", "-o", str(out), stdout=io.StringIO(), stderr=io.StringIO())
    assert "保定市生态环境局竞秀区分局关于2020年5月" in out.read_text(encoding="utf-8")
    assert not MonthlyReport.objects.exists()

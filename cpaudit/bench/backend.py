"""One benchmark run on one database (started by run.py in its own process, which sets its environment:
DJANGO_SETTINGS_MODULE=cpaudit.settings.bench, CPAUDIT_DATA_DIR and, for PostgreSQL, DATABASE_URL):
migrate, load the demo, count each page's queries, grow the data to N, count again, measure the offline
targets, then serve with gunicorn on 127.0.0.1 and load each page from a second process, the floor
measured before and after every page. Writes its results as JSON (--out). Its children (gunicorn, the
import runs) inherit that environment."""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django  # noqa: E402  (DJANGO_SETTINGS_MODULE=cpaudit.settings.bench, set by run.py)

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cpaudit.bench import load as loadgen  # noqa: E402
from cpaudit.bench.generate import grow  # noqa: E402
from cpaudit.core import clock  # noqa: E402
from cpaudit.org.models import User  # noqa: E402

BIN = Path(sys.executable).parent


def pages(today) -> list[tuple[str, str, str]]:
    """(name, username, path) of every measured page; the floor and the admin peer first."""
    slug = f"byd{today.year}"
    month = today.replace(day=1)
    last = (month.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1)
    branch = User.objects.get(username="jx_staff").agency
    city = User.objects.get(username="bd_staff").agency
    return [
        ("floor", "jx_staff", "/bench/floor/"),
        ("admin-peer", "sysadmin", f"/bench/admin/registry/enterprise/?county__code__exact={branch.division_id}"),
        ("enterprise-list", "jx_staff", "/registry/enterprises/"),
        ("enterprise-list-province", "hb_staff", "/registry/enterprises/"),
        ("enrolment-list", "bd_staff", f"/progress/campaigns/{slug}/enrolments/"),
        ("dashboard", "bd_staff", f"/progress/campaigns/{slug}/dashboard/"),
        ("dashboard-province", "hb_staff", f"/progress/campaigns/{slug}/dashboard/"),
        ("report-draft", "jx_staff", f"/reports/{slug}/{month:%Y-%m}/{branch.pk}/"),
        ("city-overview", "bd_staff", f"/reports/{slug}/{last:%Y-%m}/city/{city.pk}/"),
        ("todo", "bd_staff", "/applications/"),
        ("home", "hb_staff", "/"),
        ("log-search", "auditadmin", "/log/?object=%E5%8D%8E%E6%B3%B0"),
    ]


def _bench_admin() -> None:
    """The admin peer's user: the demo's system administrator made staff (an account needs a role)."""
    User.objects.filter(username="sysadmin").update(is_staff=True, is_superuser=True)


def _reports_before_counting(seed: int, today) -> None:
    """The generator's draft monthly reports (every branch, every month so far) before the first count:
    a page showing a saved draft and one showing an unsaved one differ by a query or two, which is a
    difference of data, not of size."""
    import random

    from cpaudit.bench.generate import _reports
    from cpaudit.campaigns.models import Campaign, CampaignCounty

    campaign = Campaign.objects.get(slug=f"byd{today.year}")
    counties = sorted(CampaignCounty.objects.filter(campaign=campaign).values_list("county_id", flat=True))
    _reports(random.Random(seed), campaign, counties, today)


def clients(names) -> dict[str, Client]:
    result = {}
    for name in set(names):
        client = Client()
        client.force_login(User.objects.get(username=name))
        result[name] = client
    return result


def query_counts(specs, logged) -> dict[str, int]:
    """Queries of each page's second load (the first does a session's one-time bookkeeping), built from
    the data: the page cache is emptied first (core.pagecache; a hit costs fewer)."""
    counts = {}
    for name, user, path in specs:
        client = logged[user]
        client.get(path)
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name} {path}: HTTP {response.status_code}")
        counts[name] = len(ctx.captured_queries)
    return counts


def cold_ms(specs, logged, repeat=3) -> dict[str, float]:
    """Each page built from the data in this process (the page cache emptied before every load), median
    of `repeat`: what the first reader after a change waits for, without the HTTP server's share."""
    result = {}
    for name, user, path in specs:
        times = []
        for _ in range(repeat):
            caches["pages"].clear()
            start = time.perf_counter()
            logged[user].get(path)
            times.append((time.perf_counter() - start) * 1000)
        result[name] = statistics.median(times)
    return result


def _ms(fn, repeat=5) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def offline(today, work: Path) -> dict[str, float]:
    from cpaudit.applications.document import form_document
    from cpaudit.applications.models import Application
    from cpaudit.applications.render import form_docx, form_pdf
    from cpaudit.campaigns.models import Campaign
    from cpaudit.core.chain import canonical, sm3_hex
    from cpaudit.core.checkpoint import chain_problems
    from cpaudit.core.models import ActionLog
    from cpaudit.registry.excel.exporter import export_enterprises
    from cpaudit.reports import services as reports
    from cpaudit.reports.models import ReportKind

    result = {}
    campaign = Campaign.objects.get(slug=f"byd{today.year}")
    city_user = User.objects.get(username="bd_staff")
    month = (today.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1)
    report = reports.report_for(actor=city_user, campaign=campaign, agency=city_user.agency, month=month,
                                kind=ReportKind.CITY)
    result["consolidation-s"] = _ms(lambda: reports.build_content(report, today), repeat=3) / 1000

    start = time.perf_counter()
    for entry in ActionLog.objects.order_by("seq").iterator(chunk_size=2000):
        sm3_hex(canonical(entry))
    plain = time.perf_counter() - start
    start = time.perf_counter()
    chain_report, problems = chain_problems()
    verify = time.perf_counter() - start
    if problems or not chain_report.ok:
        raise SystemExit(f"log chain broken: {problems}")
    result["verify-log-ratio"] = plain / verify
    result["log-entries"] = chain_report.checked

    app = Application.objects.filter(kind="evaluation").order_by("pk").first() or Application.objects.first()
    doc = form_document(app, draft=True)
    result["table1-docx-ms"] = _ms(lambda: form_docx(doc))
    result["table1-pdf-ms"] = _ms(lambda: form_pdf(doc))

    path = work / "enterprises.xlsx"
    export_enterprises(actor=User.objects.get(username="hb_staff"), path=path)
    connection.close()  # the import runs in its own process (its peak memory is the figure)
    timings = {}
    for mode in ("openpyxl", "import"):
        out = subprocess.run([sys.executable, "-m", "cpaudit.bench.importrun", mode, str(path)],
                             capture_output=True, text=True, check=True)  # this process's environment
        timings[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    result["import-vs-openpyxl"] = timings["import"]["seconds"] / timings["openpyxl"]["seconds"]
    result["import-peak-mb"] = timings["import"]["peak_mb"]
    result["import-s"] = timings["import"]["seconds"]
    result["openpyxl-s"] = timings["openpyxl"]["seconds"]
    result["import-rows"] = timings["import"]["rows"]
    return result


def serve(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(  # this process's environment: the bench settings, data directory and database
        [str(BIN / "gunicorn"), "cpaudit.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120"])
    for _ in range(300):
        if loadgen.ready(port):
            return proc
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cpaudit-bench-work-"))
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    from cpaudit.demo.loader import load_demo
    today = clock.today()
    load_demo(today=today)
    _bench_admin()
    specs = pages(today)
    _reports_before_counting(args.seed, today)
    logged = clients(user for _, user, _ in specs)
    small = query_counts(specs, logged)
    from cpaudit.registry.models import Enterprise
    small_n = Enterprise.objects.count()
    t = time.perf_counter()
    grown = grow(args.n, seed=args.seed, today=today)
    generate_s = time.perf_counter() - t
    big = query_counts(specs, logged)
    cold = cold_ms(specs, logged)
    figures = offline(today, work)
    fresh = clients(user for _, user, _ in specs)  # sessions younger than the idle limit
    cookies = {user: c.cookies["sessionid"].value for user, c in fresh.items()}
    connection.close()
    server = serve(args.port)
    try:
        floor_path = specs[0][2]
        results = {}
        floor_before = loadgen.measure(args.port, floor_path, cookies["jx_staff"], args.duration, args.connections)
        for name, user, path in specs[1:]:
            page = loadgen.measure(args.port, path, cookies[user], args.duration, args.connections)
            floor_after = loadgen.measure(args.port, floor_path, cookies["jx_staff"], args.duration, args.connections)
            floor_rps = (floor_before["rps"] + floor_after["rps"]) / 2
            results[name] = {**page, "floor_rps": floor_rps, "ratio": page["rps"] / floor_rps if floor_rps else 0,
                             "queries_small": small[name], "queries_big": big[name], "cold_ms": cold[name]}
            floor_before = floor_after
    finally:
        server.terminate()
        server.wait(30)
    args.out.write_text(json.dumps({
        "backend": connection.vendor, "n": args.n, "small_n": small_n, "grown": grown, "generate_s": generate_s,
        "pages": results, "floor_queries": [small["floor"], big["floor"]], "offline": figures,
        "tool": loadgen.TOOL, "duration": args.duration, "connections": args.connections,
        "seconds": time.perf_counter() - started,
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

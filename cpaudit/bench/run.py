"""`python -m cpaudit.bench [--quick] [--n N]` (`make bench`, `make bench-quick`): one run per database —
SQLite in a fresh directory, and PostgreSQL when DATABASE_URL is set (in a database of its own,
<name>_bench, dropped and created again) — each in its own process (backend.py); then one table and the
BENCH lines of issue 15. With two databases a BENCH line carries the worse of the two figures."""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cpaudit.settings.env import env_str

QUICK_N = 2000
FULL_N = 50000
# (BENCH name, key, target, direction): ">=" higher is better, "<=" lower is better.
RATIO_PAGES = ("enterprise-list", "enrolment-list", "dashboard", "report-draft", "city-overview", "todo",
               "log-search")
# Several users' views of one page: its BENCH figure is the worst of them.
VARIANTS = {"enterprise-list": ("enterprise-list", "enterprise-list-province"),
            "dashboard": ("dashboard", "dashboard-province")}
TARGETS = [
    *[(f"{name}-ratio", name, 0.5, ">=") for name in RATIO_PAGES],
    ("admin-peer-ratio", "admin-peer", 0, "report"),
    ("consolidation-s", "consolidation-s", 1, "<="),
    ("import-vs-openpyxl", "import-vs-openpyxl", 2, "<="),
    ("import-peak-mb", "import-peak-mb", 500, "<="),
    ("verify-log-ratio", "verify-log-ratio", 0.5, ">="),
    ("table1-docx-ms", "table1-docx-ms", 100, "<="),
    ("table1-pdf-ms", "table1-pdf-ms", 1000, "<="),
    ("queries-constant", "queries-constant", 1, "=="),
]


def bench_line(name: str, measured: float, target: float, direction: str) -> str:
    """`BENCH <name> measured=<number> target=<number> ok|short` (issue 15's form)."""
    ok = {">=": measured >= target, "<=": measured <= target, "==": measured == target, "report": True}[direction]
    number = f"{measured:.3f}".rstrip("0").rstrip(".") if measured != int(measured) else str(int(measured))
    goal = f"{target:g}"
    return f"BENCH {name} measured={number} target={goal} {'ok' if ok else 'short'}"


def figures(result: dict) -> dict[str, float]:
    """The BENCH figures of one backend's result."""
    pages, out = result["pages"], {}
    for name in RATIO_PAGES + ("admin-peer",):
        out[name] = min(pages[v]["ratio"] for v in VARIANTS.get(name, (name,)))
    out.update({k: result["offline"][k] for k in ("consolidation-s", "import-vs-openpyxl", "import-peak-mb",
                                                  "verify-log-ratio", "table1-docx-ms", "table1-pdf-ms")})
    constant = all(p["queries_small"] == p["queries_big"] for p in pages.values())
    out["queries-constant"] = 1 if constant and result["floor_queries"][0] == result["floor_queries"][1] else 0
    return out


def worst(values: list[float], direction: str) -> float:
    return max(values) if direction == "<=" else min(values)


def table(results: list[dict]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n== {r['backend']}: {r['n']} enterprises (queries counted at {r['small_n']} and {r['n']}); "
                     f"generated {json.dumps(r['grown'], ensure_ascii=False)} in {r['generate_s']:.0f} s; load: "
                     f"{r['tool']}, {r['connections']} connections, {r['duration']:g} s per page, gunicorn 2 workers")
        lines.append(f"{'page':<26}{'ratio':>7}{'req/s':>9}{'floor':>9}{'p50 ms':>9}{'queries':>10}{'cold ms':>9}")
        for name, p in r["pages"].items():
            q = f"{p['queries_small']}/{p['queries_big']}"
            lines.append(f"{name:<26}{p['ratio']:>7.2f}{p['rps']:>9.1f}{p['floor_rps']:>9.1f}{p['p50_ms']:>9.0f}"
                         f"{q:>10}{p.get('cold_ms', 0):>9.0f}")
        o = r["offline"]
        lines.append(f"consolidation {o['consolidation-s']:.2f} s · verify-log {o['log-entries']} entries, ratio "
                     f"{o['verify-log-ratio']:.2f} · Table 1 docx {o['table1-docx-ms']:.0f} ms, pdf "
                     f"{o['table1-pdf-ms']:.0f} ms · import {o['import-rows']} rows {o['import-s']:.1f} s "
                     f"(openpyxl {o['openpyxl-s']:.1f} s), peak {o['import-peak-mb']:.0f} MB")
    return "\n".join(lines)


def _pg_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench"))


def _recreate_pg(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="cpaudit benchmark (issue 15)")
    parser.add_argument("--quick", action="store_true", help=f"N = {QUICK_N}, short load per page")
    parser.add_argument("--n", type=int)
    parser.add_argument("--duration", type=float)
    args = parser.parse_args(argv)
    n = args.n or (QUICK_N if args.quick else FULL_N)
    duration = args.duration or (3 if args.quick else 10)
    backends = [("sqlite", None)]
    database_url = env_str("DATABASE_URL", "") or ""
    if database_url.startswith("postgres"):
        backends.append(("postgresql", _pg_url(database_url)))
    results = []
    for label, url in backends:
        data_dir = tempfile.mkdtemp(prefix=f"cpaudit-bench-{label}-")
        if url:
            _recreate_pg(url)
        out = Path(data_dir) / "result.json"
        print(f"[bench] {label}: N = {n} …", flush=True)
        # The child's environment through env(1): the bench settings, its own data directory and database.
        database = [f"DATABASE_URL={url}"] if url else ["-u", "DATABASE_URL"]
        subprocess.run(["env", *database, f"CPAUDIT_DATA_DIR={data_dir}", "DJANGO_SETTINGS_MODULE=cpaudit.settings.bench",
                        sys.executable, "-m", "cpaudit.bench.backend", "--n", str(n), "--duration", str(duration),
                        "--out", str(out)], check=True)
        results.append(json.loads(out.read_text()))
    print(table(results))
    per_backend = [figures(r) for r in results]
    print()
    for name, key, target, direction in TARGETS:
        print(bench_line(name, worst([f[key] for f in per_backend], direction), target, direction))
    return 0


if __name__ == "__main__":
    sys.exit(main())

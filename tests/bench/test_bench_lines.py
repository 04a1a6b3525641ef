"""The BENCH lines: issue 15's names, in its exact form."""

import re

from cpaudit.bench.run import TARGETS, bench_line, figures

LINE = re.compile(r"^BENCH [a-z0-9-]+ measured=-?\d+(\.\d+)? target=\d+(\.\d+)? (ok|short)$")
ISSUE_NAMES = ["enterprise-list-ratio", "enrolment-list-ratio", "dashboard-ratio", "report-draft-ratio",
               "city-overview-ratio", "todo-ratio", "log-search-ratio", "admin-peer-ratio", "consolidation-s",
               "import-vs-openpyxl", "import-peak-mb", "verify-log-ratio", "table1-docx-ms", "table1-pdf-ms",
               "queries-constant"]


def test_every_target_of_the_issue_and_no_other():
    assert sorted(t[0] for t in TARGETS) == sorted(ISSUE_NAMES)


def test_line_form_and_direction():
    assert bench_line("dashboard-ratio", 0.61234, 0.5, ">=") == "BENCH dashboard-ratio measured=0.612 target=0.5 ok"
    assert bench_line("dashboard-ratio", 0.2, 0.5, ">=").endswith(" short")
    assert bench_line("table1-pdf-ms", 1200.4, 1000, "<=") == "BENCH table1-pdf-ms measured=1200.4 target=1000 short"
    assert bench_line("admin-peer-ratio", 0.08, 0, "report") == "BENCH admin-peer-ratio measured=0.08 target=0 ok"
    assert bench_line("queries-constant", 1, 1, "==") == "BENCH queries-constant measured=1 target=1 ok"
    assert bench_line("queries-constant", 0, 1, "==").endswith(" short")
    for name, _key, target, direction in TARGETS:
        for value in (0, 0.25, 3, 1234.5678):
            assert LINE.match(bench_line(name, value, target, direction)), (name, value)


def test_queries_constant_needs_every_page_equal_at_both_sizes():
    page = {"ratio": 1.0, "queries_small": 9, "queries_big": 9}
    result = {"pages": {name: dict(page) for name in (
        "enterprise-list", "enterprise-list-province", "enrolment-list", "dashboard", "dashboard-province",
        "report-draft", "city-overview", "todo", "log-search", "admin-peer")}, "floor_queries": [3, 3],
        "offline": {k: 1.0 for k in ("consolidation-s", "import-vs-openpyxl", "import-peak-mb", "verify-log-ratio",
                                     "table1-docx-ms", "table1-pdf-ms")}}
    assert figures(result)["queries-constant"] == 1
    result["pages"]["city-overview"]["queries_big"] = 12
    assert figures(result)["queries-constant"] == 0

"""`python -m cpaudit.bench.importrun openpyxl|import FILE`: in a process of its own (its peak memory is the
figure), read FILE with openpyxl alone in read-only mode, or import it with the platform's importer as a
system actor. Prints one JSON line: seconds, peak_mb, rows."""

import json
import resource
import sys
import time


def main(mode: str, path: str) -> None:
    start = time.perf_counter()
    if mode == "openpyxl":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True)) - 1
        wb.close()
    else:
        import django  # DJANGO_SETTINGS_MODULE and the database: inherited from backend.py

        django.setup()
        from cpaudit.registry.excel.files import actor_for
        from cpaudit.registry.excel.importer import import_enterprises

        start = time.perf_counter()  # Django's start-up is not the import's cost
        result = import_enterprises(actor=actor_for(None, "bench-import"), path=path)
        if result.errors:
            raise SystemExit(f"import refused: {result.errors[:3]}")
        rows = result.rows
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows}))


if __name__ == "__main__":
    main(*sys.argv[1:3])

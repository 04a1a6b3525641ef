"""Loading China's divisions (provinces, cities, county-level areas) from the CSVs shipped in org/data.

Codes are padded to 6 digits: province 13 → 130000, city 1306 → 130600. A few prefecture-level
cities have no county level (东莞, 中山, 儋州): their area row repeats the city code and is skipped.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def division_rows() -> list[dict]:
    rows: dict[str, dict] = {}
    with (DATA / "provinces.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["code"] + "0000"
            rows[code] = {"code": code, "name": r["name"], "level": "province", "parent": None, "note": ""}
    with (DATA / "cities.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["code"] + "00"
            rows[code] = {"code": code, "name": r["name"], "level": "city", "parent": r["provinceCode"] + "0000",
                          "note": ""}
    with (DATA / "areas.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["code"] in rows:
                rows[r["code"]]["note"] = "不设区的地级市"
                continue
            rows[r["code"]] = {"code": r["code"], "name": r["name"], "level": "county",
                               "parent": r["cityCode"] + "00", "note": ""}
    with (DATA / "baoding_divisions.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["code6"] in rows and r["note"]:
                rows[r["code6"]]["note"] = r["note"][:200]
    return list(rows.values())


def load_divisions(Division) -> int:
    """Insert missing divisions, parents first. Idempotent."""
    existing = set(Division.objects.values_list("code", flat=True))
    rows = [r for r in division_rows() if r["code"] not in existing]
    order = {"province": 0, "city": 1, "county": 2}
    rows.sort(key=lambda r: (order[r["level"]], r["code"]))
    Division.objects.bulk_create(
        [Division(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent"], note=r["note"])
         for r in rows],
        batch_size=1000,
    )
    return len(rows)

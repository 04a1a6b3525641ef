"""GB/T 4754-2017 industry codes and the six industries of the 2020 campaign, from registry/data."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def load_industries(Industry) -> int:
    existing = set(Industry.objects.values_list("code", flat=True))
    with (DATA / "gbt4754_2017.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] not in existing]
    rows.sort(key=lambda r: (int(r["level"]), r["code"]))
    Industry.objects.bulk_create(
        [Industry(code=r["code"], level=int(r["level"]), level_name=r["level_name"], name=r["name"],
                  parent_id=r["parent_code"] or None, section=r["section"]) for r in rows],
        batch_size=1000,
    )
    return len(rows)


def six_industry_codes() -> list[tuple[str, str]]:
    """(industry group, 4-digit code) for the six industries of the seed's campaign."""
    with (DATA / "six_industries_gbt4754.csv").open(encoding="utf-8") as fh:
        return [(r["industry_group"], r["code"]) for r in csv.DictReader(fh)]

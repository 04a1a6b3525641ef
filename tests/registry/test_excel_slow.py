"""50,000 enterprises through export and import. Run alone with: pytest tests/registry -m slow -s"""

import decimal
import time

import pytest
from openpyxl import Workbook

from cpaudit.core.models import ActionLog
from cpaudit.registry.excel.exporter import export_enterprises
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.models import Enterprise
from tests.factories import make_uscc

from .test_excel_support import TEMPLATE_HEADERS

N = 50_000
COUNTIES = ["130602", "130606", "130607", "130608", "130609", "130623", "130681", "130682", "130102",
            "131102"]
INDUSTRIES = ["1511", "1513", "1713", "2221", "2710", "1910", "0113"]


def _enterprise(n: int) -> Enterprise:
    county = COUNTIES[n % len(COUNTIES)]
    return Enterprise(
        name=f"批量测试企业{n}有限公司", uscc=make_uscc(n, prefix="91" + county), county_id=county,
        address=f"测试大街{n}号", postcode="071000" if n % 3 else "", legal_representative="赵六",
        contact_person="钱七" if n % 2 else "", contact_phone=f"0312-{n:07d}", nature="有限责任公司",
        industry_id=INDUSTRIES[n % len(INDUSTRIES)],
        registered_capital=decimal.Decimal(n % 1000) + decimal.Decimal("0.25") if n % 4 else None,
        annual_output_value=decimal.Decimal(n) / 100, main_products="产品" * (n % 5),
        management_level=["provincial", "municipal", "other"][n % 3], water_related=bool(n % 2),
    )


@pytest.mark.slow
def test_50000_rows_round_trip(tmp_path, db, system_actor, record_property):
    timings = {}
    start = time.perf_counter()
    Enterprise.objects.bulk_create((_enterprise(n) for n in range(1, N + 1)), batch_size=2000)
    timings["bulk_create"] = time.perf_counter() - start

    start = time.perf_counter()
    written = export_enterprises(actor=system_actor, path=tmp_path / "all.xlsx")
    timings["export"] = time.perf_counter() - start
    assert written == N

    stamps_before = Enterprise.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    logs_before = ActionLog.objects.count()
    start = time.perf_counter()
    result = import_enterprises(actor=system_actor, path=tmp_path / "all.xlsx")
    timings["import_unchanged"] = time.perf_counter() - start
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, N)
    assert ActionLog.objects.count() == logs_before + 1
    latest = Enterprise.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    assert latest == stamps_before

    for name, seconds in timings.items():
        record_property(name, round(seconds, 2))
    print("\n50k round trip: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))


@pytest.mark.slow
def test_50000_new_rows_import_then_update(tmp_path, db, system_actor, record_property):
    """The write paths: 50,000 creations in one transaction, then 50,000 updates."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.append(TEMPLATE_HEADERS)
    for n in range(1, N + 1):
        county = COUNTIES[n % len(COUNTIES)]
        ws.append([f"新建企业{n}有限公司", make_uscc(n, prefix="92" + county), county, "", f"新路{n}号",
                   "071000", "孙八", "", "", "", INDUSTRIES[n % 7], "", n % 900, None, "12.5", None, "",
                   "其他", "是", "否"])
    wb.save(tmp_path / "new.xlsx")

    timings = {}
    start = time.perf_counter()
    created = import_enterprises(actor=system_actor, path=tmp_path / "new.xlsx")
    timings["import_create"] = time.perf_counter() - start
    assert (created.errors, created.created) == ([], N)
    new = Enterprise.objects.filter(uscc__startswith="92")
    assert new.filter(annual_output_value=decimal.Decimal("12.5")).count() == N

    Enterprise.objects.filter(uscc__startswith="92").update(address="旧地址", water_related=False)
    logs_before = ActionLog.objects.count()
    start = time.perf_counter()
    updated = import_enterprises(actor=system_actor, path=tmp_path / "new.xlsx")
    timings["import_update"] = time.perf_counter() - start
    assert (updated.errors, updated.updated) == ([], N)
    assert not Enterprise.objects.filter(address="旧地址").exists()
    assert Enterprise.objects.filter(uscc__startswith="92", water_related=True).count() == N
    assert ActionLog.objects.count() == logs_before + 1  # above LOG_EACH_LIMIT: the summary only
    for name, seconds in timings.items():
        record_property(name, round(seconds, 2))
    print("\n50k writes: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))

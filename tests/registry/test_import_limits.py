"""The import's limits (issue 11): a zip bomb refused from the zip's directory before the workbook is
opened, the row limit against what a sheet declares and what it holds, the kept errors, and the
uploaded and failed files removed when their job ends."""

import io
import shutil
import time
import zipfile

import pytest
from openpyxl import Workbook

import cpaudit.settings.base as base_settings
from cpaudit.core.models import ActionLog
from cpaudit.jobs.models import Job
from cpaudit.jobs.services import enqueue, job_dir, run_pending
from cpaudit.org.roles import Role
from cpaudit.registry.excel import importer
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.excel.rows import Parser
from cpaudit.registry.models import Enterprise

from .test_excel_support import TEMPLATE_HEADERS, valid_row, write_xlsx
from .test_import_command import command

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def staff(world):
    return world.users[Role.BRANCH_STAFF]


def bomb(path, *, unzipped_mb: int, source) -> None:
    """A valid workbook whose sheet is padded with `unzipped_mb` MB of spaces between two elements: a
    real parser would read all of it. Deflate shrinks the padding about a thousandfold."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename != SHEET:
                out.writestr(item, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with out.open(SHEET, "w", force_zip64=True) as member:
                member.write(head + b"<sheetData>")
                block = b" " * (1024 * 1024)
                for _ in range(unzipped_mb):
                    member.write(block)
                member.write(tail)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    directory = tmp_path_factory.mktemp("bomb")
    source = write_xlsx(directory / "source.xlsx", [valid_row()])
    path = directory / "bomb.xlsx"
    bomb(path, unzipped_mb=294, source=source)
    return path


def never_opened(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(importer, "load_workbook", refuse)


def test_a_zip_bomb_is_refused_in_milliseconds_before_it_is_opened(zip_bomb, staff, monkeypatch):
    stated = zipfile.ZipFile(zip_bomb).getinfo(SHEET)
    assert zip_bomb.stat().st_size < 1024 * 1024 and stated.file_size > 290 * 1024 * 1024
    never_opened(monkeypatch)
    started = time.perf_counter()
    result = import_enterprises(actor=staff, path=zip_bomb)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"refused after {elapsed:.2f} s"
    assert [e.row for e in result.errors] == [0]
    message = result.errors[0].message
    assert message.startswith("文件解压后约 294 MB，超过导入上限 256 MB，未导入"), message


def test_the_ratio_alone_refuses_a_bomb_below_the_size_limit(tmp_path, staff, settings, monkeypatch):
    path = tmp_path / "small-bomb.xlsx"
    bomb(path, unzipped_mb=20, source=write_xlsx(tmp_path / "s.xlsx", [valid_row()]))
    never_opened(monkeypatch)
    message = import_enterprises(actor=staff, path=path).errors[0].message
    assert f"“{SHEET}”压缩比异常" in message and "超过 100 倍" in message, message
    settings.CPAUDIT_IMPORT_MAX_RATIO = 100_000  # the operator's setting is what is applied
    monkeypatch.undo()
    result = import_enterprises(actor=staff, path=path, dry_run=True)
    assert (result.errors, result.created) == ([], 1)


def test_the_total_size_limit_is_the_operators(tmp_path, staff, settings, monkeypatch):
    rows = [valid_row(**{"统一社会信用代码": None, "企业名称": f"测试{n}有限公司"}) for n in range(1000)]
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    unzipped = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert 1024 * 1024 < unzipped < 2 * 1024 * 1024
    settings.CPAUDIT_IMPORT_MAX_UNZIPPED_MB = 1
    never_opened(monkeypatch)
    message = import_enterprises(actor=staff, path=path).errors[0].message
    assert message.startswith("文件解压后约 1 MB，超过导入上限 1 MB"), message


def test_a_damaged_zip_says_so(tmp_path, staff):
    good = write_xlsx(tmp_path / "g.xlsx", [valid_row()]).read_bytes()
    end = good.rfind(b"PK\x05\x06")  # keep the end record, break the directory it points to
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(good[:end - 200] + b"\0" * 200 + good[end:])
    message = import_enterprises(actor=staff, path=path).errors[0].message
    assert message.startswith("文件已损坏或不是Excel工作簿（.xlsx）"), message


def count_parses(monkeypatch) -> list:
    parsed = []
    original = Parser.parse

    def parse(self, row_no, *args, **kwargs):
        parsed.append(row_no)
        return original(self, row_no, *args, **kwargs)

    monkeypatch.setattr(Parser, "parse", parse)
    return parsed


def rows_of(n: int) -> list[dict]:
    return [valid_row() for _ in range(n)]


def test_a_sheet_declaring_more_rows_than_allowed_is_refused_before_any_row_is_read(tmp_path, staff, settings,
                                                                                    monkeypatch):
    settings.CPAUDIT_IMPORT_MAX_ROWS = 3
    path = write_xlsx(tmp_path / "four.xlsx", rows_of(4))  # openpyxl declares A1:T5
    parsed = count_parses(monkeypatch)
    result = import_enterprises(actor=staff, path=path)
    assert parsed == []
    assert [str(e) for e in result.errors] == [
        "文件声明有 4 行数据，超过单次导入上限 3 行，未导入；请拆分后分别导入（如实际没有这么多行，请删除表格末尾多余的空行后另存再导入）"]


def test_a_sheet_holding_more_rows_than_it_declares_is_stopped_at_the_limit(tmp_path, staff, settings, monkeypatch):
    settings.CPAUDIT_IMPORT_MAX_ROWS = 3
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业名录")
    ws.calculate_dimension = lambda: "A1:T2"  # claims one data row
    ws.append(TEMPLATE_HEADERS)
    for row in rows_of(6):
        ws.append([row.get(h) for h in TEMPLATE_HEADERS])
    wb.save(tmp_path / "liar.xlsx")
    parsed = count_parses(monkeypatch)
    result = import_enterprises(actor=staff, path=tmp_path / "liar.xlsx")
    assert parsed == [2, 3, 4]  # the fourth data row was not parsed
    assert [str(e) for e in result.errors] == ["文件的数据超过单次导入上限 3 行，未导入；请拆分后分别导入"]
    assert result.created == 0


def test_a_file_at_the_limit_is_imported(tmp_path, staff, settings):
    settings.CPAUDIT_IMPORT_MAX_ROWS = 3
    before = Enterprise.objects.count()
    result = import_enterprises(actor=staff, path=write_xlsx(tmp_path / "three.xlsx", rows_of(3)))
    assert (result.errors, result.created) == ([], 3)
    assert Enterprise.objects.count() == before + 3


def test_the_defaults():
    """50,000 rows (tests/registry/test_excel_slow.py imports that many with the defaults), 256 MB
    unzipped (the 50,000-row export unzips to about 72 MB), ratio 100 (its sheet: about 17), 200 errors."""
    assert (base_settings.CPAUDIT_IMPORT_MAX_ROWS, base_settings.CPAUDIT_IMPORT_MAX_UNZIPPED_MB,
            base_settings.CPAUDIT_IMPORT_MAX_RATIO, base_settings.CPAUDIT_IMPORT_MAX_ERRORS) == (50_000, 256, 100, 200)


def test_only_the_first_errors_are_kept_and_all_are_counted(tmp_path, staff, settings):
    settings.CPAUDIT_IMPORT_MAX_ERRORS = 3
    path = write_xlsx(tmp_path / "bad.xlsx", [valid_row(**{"邮编": "x", "注册资本（万元）": "很多"}) for _ in range(5)])
    result = import_enterprises(actor=staff, path=path)
    assert (result.error_count, len(result.errors)) == (10, 3)
    assert [(e.row, e.header) for e in result.errors] == [(2, "邮编"), (2, "注册资本（万元）"), (3, "邮编")]
    code, out, err = command(path)
    assert code == 1 and err[:3] == [str(e) for e in result.errors]
    assert err[3:] == ["文件有 10 处错误，未导入任何数据（以上列出前 3 处）"]


# --- files removed when their job ends ------------------------------------------------------------------

def uploaded(tmp_path, name: str, rows) -> str:
    """Where the import page puts an upload: the job directory."""
    target = job_dir() / name
    shutil.copyfile(write_xlsx(tmp_path / name, rows), target)
    return str(target)


def import_job(user, path) -> Job:
    return enqueue(kind="registry.import", user=user, params={
        "path": path, "campaign": None, "dry_run": False, "user_id": user.pk, "filename": "名录.xlsx"})


@pytest.mark.parametrize("row,status", [(valid_row(), "done"), (valid_row(**{"邮编": "x"}), "failed")])
def test_the_upload_is_removed_when_the_import_ends(tmp_path, staff, row, status):
    path = uploaded(tmp_path, f"upload-{status}.xlsx", [row])
    job = import_job(staff, path)
    run_pending()
    job.refresh_from_db()
    assert job.status == status
    assert not (job_dir() / f"upload-{status}.xlsx").exists()


def test_an_upload_another_queued_import_reads_is_kept_until_that_one_ends(tmp_path, staff):
    path = uploaded(tmp_path, "upload-same.xlsx", [valid_row()])
    first, second = import_job(staff, path), import_job(staff, path)
    assert run_pending(limit=1) == 1
    assert Job.objects.get(pk=first.pk).status == "done" and (job_dir() / "upload-same.xlsx").exists()
    run_pending()
    assert Job.objects.get(pk=second.pk).status == "done" and not (job_dir() / "upload-same.xlsx").exists()


def test_a_failed_export_leaves_no_file(world, monkeypatch):
    """The export wrote and logged its file, then the job failed: the file goes with the job's failure."""
    from cpaudit.registry import jobs_handlers

    def broken(*args, **kwargs):
        raise RuntimeError("失败于导出之后")

    monkeypatch.setattr(jobs_handlers.timezone, "localtime", broken)
    user = world.users[Role.CITY_STAFF]
    before = set(job_dir().iterdir())
    job = enqueue(kind="registry.export", user=user, params={"user_id": user.pk, "filters": {}})
    run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and (job.result_file, job.result_filename) == ("", "")
    assert ActionLog.objects.filter(action="registry.export.completed").count() == 1  # it was written
    assert set(job_dir().iterdir()) == before


def test_reading_a_zip_directory_is_cheap():
    """The central directory is at the end of the file: checking it reads a few KB, not the members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("big.bin", b"x" * (8 * 1024 * 1024))

    class Counting(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            data = super().read(size)
            Counting.read_bytes += len(data)
            return data

    from cpaudit.registry.excel.limits import check_archive

    check_archive(Counting(buffer.getvalue()))
    assert Counting.read_bytes < 64 * 1024

"""Importing the enterprise registry from an .xlsx file.

Two phases. Validation reads every row (openpyxl read-only mode) against cached industries and
divisions and one chunked lookup of the existing enterprises, collecting EVERY error with its row
and column. Only a file without any error is written, in one transaction (excel/writing.py):
bulk_create for new enterprises, one executemany UPDATE for changed ones. Rows whose values equal the stored ones are
neither written nor logged, so re-importing a file changes nothing.

Before any of it, the file must be within the limits (excel/limits.py): its zip's sizes, checked
before it is opened, and its number of rows, checked against what the sheet declares before any row is
read and against what it holds before each row is parsed. At most CPAUDIT_IMPORT_MAX_ERRORS errors
(and as many notices) are kept; `error_count` has them all.

Rows may also carry notices, which do not stop the import: a name turned into a code (a GB/T
4754-2017 name, a GB/T 4754-2011 name whose class kept its name, a zone alias), an industry code
coarser than a 小类 (the campaign scope needs a class; registry/industries.py). Names that map to
several classes, or to none, are errors that say what to choose (excel/resolve.py). Parsing one
row, cell by cell, is excel/rows.py.

Logging: always one entry "registry.import.completed" (counts, file name, SM3 digest of the file).
When at most LOG_EACH_LIMIT (excel/writing.py) enterprises are created or updated, each also gets the usual
"registry.enterprise.created/updated" entry with its field changes (as the web forms write them).
Above that, per-enterprise entries would add about a minute per 50,000 rows (each entry locks and
extends the hash chain: measured 1.2 ms each), so the summary entry, whose digest identifies the
uploaded file, stands for them.
"""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import snapshot
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.registry.models import Enterprise
from cpaudit.registry.services import ENTERPRISE_FIELDS, clean_uscc
from cpaudit.registry.uscc import check as check_uscc

from .columns import (
    COLUMN_BY_FIELD,
    COLUMN_BY_HEADER_KEY,
    COUNTY_HEADERS,
    IGNORED_HEADERS,
    INDUSTRY_HEADERS,
    REQUIRED_HEADERS,
    SHEET_TITLE,
    Column,
    header_key,
)
from .files import sm3_file
from .limits import CappedErrors, LimitError, check_archive, max_rows, too_many_rows
from .resolve import Reference
from .rows import Parser, Row, RowError, raw_text
from .writing import LOOKUP_CHUNK, Plan, to_enrol, write

PROGRESS_EVERY = 1000
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is tolerated
USCC_ACCEPT_HINT = "；如已核对营业执照确认无误，可在“已核对营业执照”列填“是”"


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int
    errors: list[RowError]
    dry_run: bool
    enrolled: int = 0  # enrolments created (or, in a dry run, that would be) in the campaign
    notices: list[RowError] = field(default_factory=list)  # mappings applied, coarse codes: not errors
    rows: int = 0  # non-blank data rows read
    digest: str = ""  # SM3 of the file

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        """Every error found, also those not kept (CappedErrors)."""
        return getattr(self.errors, "total", len(self.errors))

    def summary(self) -> str:
        return f"新增 {self.created} 家，更新 {self.updated} 家，未变化 {self.unchanged} 家"


# --------------------------------------------------------------------------- the file

class _FileError(Exception):
    pass



def _open_workbook(fh):
    head = fh.read(8)
    fh.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _FileError("这是旧版Excel（.xls）文件，请在Excel中“另存为”Excel工作簿（.xlsx）后再导入")
    if not zipfile.is_zipfile(fh):
        raise _FileError("文件不是Excel工作簿（.xlsx），无法读取；请使用导入模板填写后上传"
                         "（不支持.xls、.csv、.et等格式）")
    fh.seek(0)
    try:
        check_archive(fh)  # a zip bomb is refused here, from the zip's directory, before unzipping
    except zipfile.BadZipFile:
        raise _FileError("文件已损坏或不是Excel工作簿（.xlsx），无法读取；"
                         "请在Excel中打开后另存为.xlsx再导入") from None
    fh.seek(0)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise _FileError("文件已损坏或不是Excel工作簿（.xlsx），无法读取；"
                         "请在Excel中打开后另存为.xlsx再导入") from None
    return wb


def _sheet(wb):
    if SHEET_TITLE in wb.sheetnames:
        return wb[SHEET_TITLE]
    if not wb.worksheets:
        raise _FileError("文件中没有工作表")
    return wb.worksheets[0]


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _map_headers(header_row: int, values) -> tuple[list[tuple[int, Column]], list[RowError]]:
    """(position, column) for every recognized header; errors for unknown, duplicate, missing ones."""
    found: list[tuple[int, Column]] = []
    seen: dict[str, str] = {}
    errors: list[RowError] = []
    for position, value in enumerate(values):
        text = raw_text(value).strip()
        if not text:
            continue
        letter = get_column_letter(position + 1)
        column = COLUMN_BY_HEADER_KEY.get(header_key(text))
        if column is None:
            if header_key(text) not in IGNORED_HEADERS:
                errors.append(RowError(header_row, letter, text,
                                       "无法识别的表头；请使用导入模板中的列名（见模板“填写说明”）"))
            continue
        if column.header in seen:
            errors.append(RowError(header_row, letter, column.header,
                                   f"表头重复，与{seen[column.header]}列相同"))
            continue
        seen[column.header] = letter
        found.append((position, column))
    for header in REQUIRED_HEADERS:
        if header not in seen:
            errors.append(RowError(header_row, "", header, f"缺少必填列“{header}”"))
    for pair in (COUNTY_HEADERS, INDUSTRY_HEADERS):
        if not any(h in seen for h in pair):
            errors.append(RowError(header_row, "", pair[0], f"缺少必填列“{pair[0]}”（或“{pair[1]}”）"))
    return found, errors


# --------------------------------------------------------------------------- the import

def _campaign(actor, slug: str | None) -> Campaign | None:
    if not slug:
        return None
    campaign = access.scope(actor, Campaign.objects.all()).filter(slug=slug).first()
    if campaign is None:
        raise InvalidState(f"审核批次“{slug}”不存在")
    if campaign.status != Campaign.Status.ACTIVE:
        raise InvalidState(f"审核批次“{campaign.name}”已结束，不能再纳入企业")
    access.check(actor, "campaigns.enrolment.change")
    return campaign


def _existing(codes: list[str]) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        for enterprise in Enterprise.objects.filter(uscc__in=codes[start:start + LOOKUP_CHUNK]):
            found[enterprise.uscc] = enterprise
    return found


def import_enterprises(*, actor, path, campaign_slug: str | None = None, dry_run: bool = False,
                       progress: Callable[[int, int], None] | None = None,
                       filename: str = "") -> ImportResult:
    """Validate the whole file; if it has no error (and this is not a dry run) create and update the
    enterprises in one transaction, and enrol them in the campaign `campaign_slug` when given.

    Raises PermissionDenied when the actor may not import, InvalidState for an unknown or closed
    campaign; every problem with the file itself comes back in `errors` (and then nothing is written)."""
    access.check(actor, "registry.enterprise.import")
    campaign = _campaign(actor, campaign_slug)
    path = Path(path)
    filename = filename or path.name
    report = progress or (lambda done, total: None)
    result = ImportResult(0, 0, 0, CappedErrors(), dry_run, notices=CappedErrors())
    try:
        result.digest = sm3_file(path)
        with path.open("rb") as fh:
            wb = _open_workbook(fh)
            try:
                rows = _read(actor, wb, result, report)
            finally:
                wb.close()
    except FileNotFoundError:
        rows = None
        result.errors.append(RowError(0, "", "", f"文件不存在：{filename}"))
    except (_FileError, LimitError) as exc:
        rows = None
        result.errors.append(RowError(0, "", "", str(exc)))
    if rows is None:  # the file or its header row is unusable: the rows were not read
        return result
    plan = _plan(actor, rows, result, campaign)
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, len(e.column), e.column))
        return result
    result.created, result.updated = len(plan.create), len(plan.update)
    result.unchanged = len(rows) - result.created - result.updated
    if campaign is not None:
        result.enrolled = len(to_enrol(campaign, plan))
    if not dry_run:
        try:
            write(actor, plan, campaign, result, filename)
        except IntegrityError:
            result.created = result.updated = result.unchanged = result.enrolled = 0
            result.errors.append(RowError(0, "", "", "导入期间有其他用户登记或修改了文件中的企业，"
                                                     "本次未导入任何数据，请重新导入"))
            return result
    report(result.rows, result.rows)
    return result


def _read(actor, wb, result: ImportResult, report) -> list[Row] | None:
    """Every non-blank data row parsed (cell errors go to result.errors); None when the header row is
    unusable."""
    ws = _sheet(wb)
    declared = ws.max_row or 0  # from the file's dimension tag: a claim, checked below, and the progress total
    ws.reset_dimensions()  # some writers declare a wrong dimension; read what is there
    iterator = ws.iter_rows(values_only=True)
    uscc_key = header_key(COLUMN_BY_FIELD["uscc"].header)
    header_row, header_values, first = 0, None, None
    for row_no, values in enumerate(iterator, start=1):
        if first is None and not _blank(values):
            first = (row_no, values)
        if any(header_key(raw_text(v)) == uscc_key for v in values):
            header_row, header_values = row_no, values
            break
        if row_no >= HEADER_SEARCH_ROWS:
            break
    if header_values is None:  # take the first row as the header and say what is missing
        if first is None:
            result.errors.append(RowError(0, "", "", "文件是空的：第1行应为表头，从第2行起每行填写一家企业"))
            return None
        header_row, header_values = first
    limit = max_rows()
    if declared - header_row > limit:  # refused before a single data row is read
        raise too_many_rows(declared - header_row, declared=True)
    columns, errors = _map_headers(header_row, header_values)
    if errors:
        result.errors.extend(errors)
        return None
    parser = Parser(Reference(actor), columns)
    total = max(declared - header_row, 0)
    rows: list[Row] = []
    for row_no, values in enumerate(iterator, start=header_row + 1):
        if _blank(values):
            continue
        if len(rows) == limit:  # the file holds more than it declared: stop before parsing this row
            raise too_many_rows(limit + 1, declared=False)
        rows.append(parser.parse(row_no, values, result.errors, result.notices))
        if len(rows) % PROGRESS_EVERY == 0:
            total = max(total, len(rows))
            report(len(rows), total)
    result.rows = len(rows)
    if not rows and not result.errors:
        result.errors.append(RowError(header_row + 1, "", "",
                                      "没有企业数据：请从表头下一行起每行填写一家企业"))
    return rows


def _plan(actor, rows: list[Row], result: ImportResult, campaign: Campaign | None = None) -> Plan:
    """Second pass, in memory but for one chunked lookup: codes, duplicates, jurisdiction, changes."""
    jurisdiction = jurisdiction_of(actor)
    campaign_counties = set(campaign.county_links.values_list("county_id", flat=True)) if campaign else None
    header = COLUMN_BY_FIELD["uscc"].header
    first_row: dict[str, int] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in first_row:
            result.errors.append(RowError(row.row, row.code_letter, header,
                                          f"与第{first_row[row.code]}行的统一社会信用代码重复（{row.code}）"))
            row.code = ""
        else:
            first_row[row.code] = row.row
    existing = _existing(list(first_row))
    plan = Plan()
    for row in rows:
        if not row.code:
            continue
        stored = existing.get(row.code)
        accepted = row.accepted if row.accepted is not None else bool(stored and stored.uscc_check_accepted)
        try:
            code = clean_uscc(row.code, accepted=accepted)
        except ValidationError:
            checked = check_uscc(row.code)
            hint = USCC_ACCEPT_HINT if checked.only_check_fails and row.accepted_ok else ""
            result.errors.append(RowError(row.row, row.code_letter, header, checked.reason + hint))
            continue
        row.values["uscc"] = code
        row.values["uscc_check_accepted"] = accepted and not check_uscc(code).valid
        if stored is not None and not jurisdiction.covers(stored.county_id):
            # Existence is all that is disclosed: not where, nor whose.
            result.errors.append(RowError(row.row, row.code_letter, header,
                                          "该统一社会信用代码的企业已登记在您辖区以外，不能导入或更新"))
            continue
        county = row.values.get("county_id") or (stored.county_id if stored else None)
        if campaign_counties is not None and county not in campaign_counties:
            result.errors.append(RowError(row.row, row.county_letter or row.code_letter,
                                          row.county_header or header,
                                          f"所在县（市、区）{county}不在审核批次“{campaign.name}”的范围内"))
            continue
        if result.errors:
            continue  # nothing will be written: spare building objects
        if stored is None:
            plan.create.append(Enterprise(**row.values))
            continue
        plan.existing.append(stored)
        changed = {k: v for k, v in row.values.items() if getattr(stored, k) != v}
        if changed:
            before = snapshot(stored, ENTERPRISE_FIELDS)
            for key, value in changed.items():
                setattr(stored, key, value)
            plan.update.append((stored, before, tuple(sorted(changed))))
    return plan

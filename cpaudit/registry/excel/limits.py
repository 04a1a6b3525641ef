"""What an uploaded workbook may cost before the importer spends time on it (issue 11).

An .xlsx is a zip of XML files. Its central directory (at the end of the file, a few hundred bytes)
states each member's compressed and uncompressed size, so a zip bomb — a 1 MB upload that unzips to
hundreds of MB of XML — is refused in milliseconds, before openpyxl opens it. The stated sizes can be
trusted as an upper bound: Python's zipfile stops decompressing a member at its stated size (and then
fails its CRC check), so a file cannot unzip to more than it declares.

Rows: the limit (CPAUDIT_IMPORT_MAX_ROWS) is checked against the row count the sheet declares
(its <dimension> tag, read by openpyxl's read-only mode without reading the rows) before any row is
read, and against the rows actually there while reading: a file that declares less than it holds is
stopped at the first row over the limit, before that row is parsed, so no file costs more than the
largest file allowed.
"""

import zipfile

from django.conf import settings

MB = 1024 * 1024
RATIO_FLOOR = MB  # smaller members are not judged by their ratio: tiny XML files compress very well


class LimitError(Exception):
    """A file over a limit: the message says which limit, in Chinese, for the user."""


def check_archive(fh) -> None:
    """Refuse a zip whose members would unzip to too much in all, or one of which compresses too well."""
    max_total = settings.CPAUDIT_IMPORT_MAX_UNZIPPED_MB * MB
    max_ratio = settings.CPAUDIT_IMPORT_MAX_RATIO
    with zipfile.ZipFile(fh) as archive:
        members = archive.infolist()
    total = sum(member.file_size for member in members)
    if total > max_total:
        raise LimitError(f"文件解压后约 {total // MB} MB，超过导入上限 {settings.CPAUDIT_IMPORT_MAX_UNZIPPED_MB} MB，"
                         "未导入；请拆分为几个较小的文件分别导入")
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > max_ratio * max(member.compress_size, 1):
            raise LimitError(f"文件中的“{member.filename}”压缩比异常（解压后 {member.file_size // MB} MB，"
                             f"压缩后 {max(member.compress_size, 1) // 1024} KB，超过 {max_ratio} 倍），"
                             "不像正常的Excel工作簿，未导入")


def max_rows() -> int:
    return settings.CPAUDIT_IMPORT_MAX_ROWS


def too_many_rows(count: int, *, declared: bool) -> LimitError:
    limit = max_rows()
    if declared:
        return LimitError(f"文件声明有 {count} 行数据，超过单次导入上限 {limit} 行，未导入；请拆分后分别导入"
                          "（如实际没有这么多行，请删除表格末尾多余的空行后另存再导入）")
    return LimitError(f"文件的数据超过单次导入上限 {limit} 行，未导入；请拆分后分别导入")


class CappedErrors(list):
    """The first `limit` errors (or notices) of an import; `total` counts all of them. A file with an
    error in every cell of 50,000 rows would otherwise hold a million messages in memory, and nobody
    reads past the first few hundred: fixing those and importing again shows the next ones."""

    def __init__(self, limit: int | None = None):
        super().__init__()
        self.limit = settings.CPAUDIT_IMPORT_MAX_ERRORS if limit is None else limit
        self.total = 0

    def append(self, item) -> None:
        self.total += 1
        if len(self) < self.limit:
            super().append(item)

    def extend(self, items) -> None:
        for item in items:
            self.append(item)

    @property
    def truncated(self) -> bool:
        return self.total > len(self)

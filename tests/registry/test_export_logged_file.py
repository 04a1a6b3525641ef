"""The exported workbook appears under its name only when the export is logged (issue 9)."""

import pytest

from cpaudit.core.models import ActionLog
from cpaudit.registry.excel import exporter
from cpaudit.registry.excel.files import sm3_file

from .test_excel_support import read_xlsx


def test_the_log_entry_names_the_file_that_was_put_in_place(tmp_path, world, system_actor):
    path = tmp_path / "out.xlsx"
    count = exporter.export_enterprises(actor=system_actor, path=path)
    entry = ActionLog.objects.get(action="registry.export.completed")
    assert entry.data == {"rows": count, "sm3": sm3_file(path)}
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left beside it


def test_a_failed_log_write_leaves_no_file(tmp_path, world, system_actor, monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("log down")

    monkeypatch.setattr(exporter, "log_action", refuse)
    with pytest.raises(RuntimeError, match="log down"):
        exporter.export_enterprises(actor=system_actor, path=tmp_path / "out.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(tmp_path, world, system_actor, monkeypatch):
    path = tmp_path / "out.xlsx"
    exporter.export_enterprises(actor=system_actor, path=path)
    before = path.read_bytes()

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporter.os, "replace", disk_full)
    logged = ActionLog.objects.count()
    with pytest.raises(OSError):
        exporter.export_enterprises(actor=system_actor, path=path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
    assert ActionLog.objects.count() == logged  # the entry rolled back with the failed move
    assert len(read_xlsx(path)) > 1

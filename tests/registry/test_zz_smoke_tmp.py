from cpaudit.org.roles import Role
from cpaudit.registry.excel.importer import import_enterprises
from cpaudit.registry.excel.exporter import export_enterprises
from cpaudit.registry.excel.template import build_template
from .test_excel_support import valid_row, write_xlsx, read_xlsx

def test_smoke(world, tmp_path, system_actor):
    p = write_xlsx(tmp_path / "a.xlsx", [valid_row(), valid_row(**{"统一社会信用代码": "12345", "邮编": "7100", "注册资本（万元）": -1})])
    r = import_enterprises(actor=world.users[Role.BRANCH_STAFF], path=p)
    print(r); [print(str(e)) for e in r.errors]
    p = write_xlsx(tmp_path / "b.xlsx", [valid_row()])
    r = import_enterprises(actor=world.users[Role.BRANCH_STAFF], path=p)
    print(r)
    n = export_enterprises(actor=system_actor, path=tmp_path / "out.xlsx")
    print(n, read_xlsx(tmp_path / "out.xlsx")[:3])
    r = import_enterprises(actor=system_actor, path=tmp_path / "out.xlsx")
    print(r)
    (tmp_path / "t.xlsx").write_bytes(build_template())
    print(import_enterprises(actor=system_actor, path=tmp_path / "t.xlsx"))

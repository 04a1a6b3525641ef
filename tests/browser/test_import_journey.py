"""An Excel import of the enterprise registry as branch staff (jx_staff, 竞秀区): the template downloaded
from the page, a file with a wrong 统一社会信用代码 refused with its row and column shown on the page and
nothing imported, then the corrected file imported (the real worker runs the job)."""

import io

from openpyxl import load_workbook

from tests.factories import make_uscc
from tests.registry.test_excel_support import TEMPLATE_HEADERS, valid_row, write_xlsx


def wait_for_job(session, text: str):
    """The job page refreshes itself every 2 s until the worker is done."""
    session.page.locator("main").get_by_text(text).first.wait_for(timeout=120_000)
    session.check()
    return session


def test_import_shows_the_errors_then_imports_the_corrected_file(browser, tmp_path):
    branch = browser.login("jx_staff")
    branch.go("/registry/enterprises/import/").sees("Excel 导入企业名录").shot("branch-import", guide=True)
    template = load_workbook(io.BytesIO(branch.download("下载导入模板")))
    headers = [cell.value for cell in next(template.worksheets[0].iter_rows(max_row=3)) if cell.value]
    assert headers[:2] == TEMPLATE_HEADERS[:2], headers

    good = valid_row(**{"企业名称": "保定端到端测试纸业有限公司", "统一社会信用代码": make_uscc(prefix="91130602")})
    bad_code = make_uscc(prefix="91130602")[:-1] + "Z"  # a wrong check character
    bad = valid_row(**{"企业名称": "保定端到端测试印染有限公司", "统一社会信用代码": bad_code})
    wrong = write_xlsx(tmp_path / "名录-有错.xlsx", [good, bad])
    branch.page.set_input_files("input[name=file]", str(wrong))
    branch.press("上传并校验")
    wait_for_job(branch, "未导入任何数据").sees("第3行", "统一社会信用代码")
    branch.shot("branch-import-errors", guide=True)

    fixed = valid_row(**{"企业名称": "保定端到端测试印染有限公司", "统一社会信用代码": make_uscc(prefix="91130602")})
    right = write_xlsx(tmp_path / "名录-改正.xlsx", [good, fixed])
    branch.go("/registry/enterprises/import/")
    branch.page.set_input_files("input[name=file]", str(right))
    branch.press("上传并校验")
    wait_for_job(branch, "新增 2 家").shot("branch-import-done", guide=True)
    branch.go("/registry/enterprises/?q=端到端测试").sees("保定端到端测试纸业有限公司", "保定端到端测试印染有限公司")

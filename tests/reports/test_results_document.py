"""A results summary prints the same words in text, Word and PDF (the monthly report's renderers, read
back), the city's consolidation with its county table, its list and the accepted branch summary as
an annex after its seal area; names in the list are left-aligned, numbers centred."""

import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from cpaudit.org.roles import Role
from cpaudit.reports import results
from cpaudit.reports.document import SEAL_LABEL, blocks_of, words
from cpaudit.reports.render import render_docx
from cpaudit.reports.render.common import spread

from .results_fixtures import branch_submitted, city_drafted
from .test_document import assert_same_words

pytestmark = pytest.mark.usefixtures("applied")


@pytest.fixture
def consolidation(world):
    u = world.users
    results.results_accept(actor=u[Role.CITY_STAFF], summary=branch_submitted(world))
    return results.results_submit(actor=u[Role.CITY_LEADER], summary=city_drafted(world)).content


def test_branch_summary_same_words_in_three_formats(world):
    content = branch_submitted(world).versions.get().content
    text = assert_same_words(content)
    for part in ("保定市生态环境局：", "一、总体情况", "本辖区已申请评估的企业2家：通过1家，不通过0家，尚未出结论1家；其中逾期1家",
                 "表1评估企业名单", "同县测试企业有限公司竞秀区分局待市局初审未出结论—是",
                 "自有测试企业有限公司竞秀区分局—通过2020年8月10日否", "三、情况说明", "特此报告。", SEAL_LABEL):
        assert part in text, part


def test_city_consolidation_same_words_and_the_annex_after_the_seal(consolidation):
    text = assert_same_words(consolidation)
    assert "保环报〔2020〕60号" in text and "表1各县（市、区）评估结果汇总（单位：家）" in text
    assert "竞秀区21011莲池区10101合计31112" in text  # the county table with its totals
    assert "1．竞秀区分局：已接收（第1版）2．莲池区分局：未报送" in text
    printed = words(blocks_of(consolidation))
    assert printed.index(SEAL_LABEL) < printed.index("附件1")
    annex = next(b for b in consolidation["blocks"] if b["type"] == "annex")
    assert not any(b["type"] == "masthead" for b in annex["blocks"])  # a copy: no masthead …
    assert all(not b.get("seal") for b in annex["blocks"] if b["type"] == "signoff")  # … nor seal area


def test_names_left_numbers_centred_in_word(consolidation):
    doc = Document(io.BytesIO(render_docx(consolidation)))
    listing = doc.tables[1]
    row = listing.rows[1]
    align = [cell.paragraphs[0].alignment for cell in row.cells]
    assert row.cells[1].text == "同县测试企业有限公司"
    assert align[1] == align[2] == align[3] == WD_ALIGN_PARAGRAPH.LEFT
    assert align[0] == align[5] == WD_ALIGN_PARAGRAPH.CENTER


def test_a_table_wider_than_the_page_is_scaled_down():
    widths = spread([60.0, 80.0, 40.0], 150)
    assert sum(widths) == pytest.approx(150) and widths[1] > widths[0] > widths[2]
    assert spread([10.0, 10.0], 100)[0] > 10  # room left is given out as before

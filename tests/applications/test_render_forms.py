"""Table 1 / Table 2 as .docx and PDF: every seed label in order, ticked boxes, opinion blocks."""

import datetime as dt
import io
import os

import pytest

from cpaudit.applications import formspec
from cpaudit.applications.document import form_document
from cpaudit.applications.models import Kind, Step
from cpaudit.applications.render import form_docx, form_pdf
from cpaudit.org.roles import Role

from .docfixtures import (
    T1_VALUES,
    T2_VALUES,
    decide,
    docx_text,
    make_application,
    missing_in_order,
    pdf_text,
    seed_labels,
    seed_tables,
    squash,
)

pytestmark = pytest.mark.django_db


def reviewed(world, kind):
    application = make_application(world, kind=kind)
    checks = {key: n % 2 == 0 for n, (key, _) in enumerate(formspec.REVIEW_CHECKS[kind])}
    decide(world, application, Step.BRANCH_REVIEW, opinion="同意上报", checks=checks)
    decide(world, application, Step.CITY_REVIEW, opinion="经初审，材料齐全，同意报省厅。", name="陈初审",
           day=dt.date(2020, 8, 20), role=Role.CITY_STAFF)
    decide(world, application, Step.CITY_APPROVAL, name="刘局长", day=dt.date(2020, 8, 21), role=Role.CITY_LEADER)
    return application


@pytest.mark.parametrize("kind", [Kind.EVALUATION, Kind.ACCEPTANCE])
def test_every_seed_label_in_order(world, kind):
    doc = form_document(reviewed(world, kind))
    labels = seed_labels(seed_tables()[kind])
    docx, pdf = form_docx(doc), form_pdf(doc)
    if os.environ.get("CPAUDIT_KEEP_FORMS"):
        for name, data in ((f"{kind}.docx", docx), (f"{kind}.pdf", pdf)):
            with open(os.path.join(os.environ["CPAUDIT_KEEP_FORMS"], name), "wb") as fh:
                fh.write(data)
    assert missing_in_order(labels, docx_text(docx)) == []
    assert missing_in_order(labels, pdf_text(pdf)) == []


def boxes_in_order(expected: list[str], text: str) -> list[str]:
    """The expected pieces (boxes kept) not found in order in `text` (whitespace ignored)."""
    flat, cursor, missing = squash(text), 0, []
    for piece in expected:
        at = flat.find(squash(piece), cursor)
        if at < 0:
            missing.append(piece)
        else:
            cursor = at + len(squash(piece))
    return missing


YES, NO, NONE = "是☑否□", "是□否☑", "是□否□"


def test_table1_boxes(world):
    application = reviewed(world, Kind.EVALUATION)  # checks: materials_complete yes, facts_true no
    doc = form_document(application)
    expected = ["委托☑", "咨询机构名称", "测试清洁生产咨询有限公司", "自审□", "双超企业□", "第一类□", "第二类□",
                "第三类☑", "第四类□", "第五类□", "其他企业□", YES, NO, NO, YES, NO]
    assert boxes_in_order(expected, docx_text(form_docx(doc))) == []
    assert boxes_in_order(expected, pdf_text(form_pdf(doc))) == []


@pytest.mark.parametrize("value", ["shuangchao", "shuangyou1", "shuangyou2", "shuangyou3", "shuangyou4",
                                   "shuangyou5", "other"])
def test_enterprise_type_and_self_audit(world, value):
    values = {**T1_VALUES, "enterprise_type": value, "mode": "self", "consulting_agency": "",
              "has_deadline_project": False, "deadline_project_done": None, "has_violation": True}
    doc = form_document(make_application(world, values=values))
    names = ["双超企业", "第一类", "第二类", "第三类", "第四类", "第五类", "其他企业"]
    chosen = ["shuangchao", *[f"shuangyou{n}" for n in range(1, 6)], "other"].index(value)
    expected = ["委托□", "自审☑", *[n + ("☑" if i == chosen else "□") for i, n in enumerate(names)],
                NO, NONE, YES, NONE, NONE]  # no branch review yet: the reviewer's boxes are empty
    text = docx_text(form_docx(doc))
    assert boxes_in_order(expected, text) == []
    assert squash(text).count("☑") == 4  # 自审, the type, 否 (deadline project), 是 (violation)
    assert "测试清洁生产咨询有限公司" not in text


def test_table2_boxes_and_explanation(world):
    values = {**T2_VALUES, "time_limit_explanation": "因疫情延期"}
    application = make_application(world, kind=Kind.ACCEPTANCE, values=values)
    decide(world, application, Step.BRANCH_REVIEW, checks={"materials_complete": False, "options_match": True})
    doc = form_document(application)
    # within_time_limit False (registry), had_incident True, incident_rectified True, then the checks.
    expected = [NO, "相关说明：因疫情延期", YES, YES, NO, YES]
    assert boxes_in_order(expected, docx_text(form_docx(doc))) == []
    assert boxes_in_order(expected, pdf_text(form_pdf(doc))) == []


@pytest.mark.parametrize("kind", [Kind.EVALUATION, Kind.ACCEPTANCE])
def test_opinion_blocks_carry_names_and_dates(world, kind):
    application = reviewed(world, kind)
    decide(world, application, Step.PROVINCE_REVIEW, opinion="同意组织评估。", name="周审批",
           day=dt.date(2020, 9, 2), role=Role.PROVINCE_STAFF)
    doc = form_document(application)
    signer = "审批人员签字：" if kind == Kind.EVALUATION else "初审人员签字："
    expected = ["经初审，材料齐全，同意报省厅。", "（负责人审批：刘局长2020年8月21日）", "初审人员签字：陈初审", "(盖章)",
                "2020年8月20日", "河北省生态环境厅意见", "同意组织评估。", f"{signer}周审批", "(盖章)", "2020年9月2日"]
    assert boxes_in_order(expected, docx_text(form_docx(doc))) == []
    assert boxes_in_order(expected, pdf_text(form_pdf(doc))) == []


def test_empty_opinion_blocks_print_blank_signature_and_date(world):
    doc = form_document(make_application(world))
    text = squash(docx_text(form_docx(doc)))
    assert text.count("初审人员签字：(盖章)年月日") == 1 and text.count("审批人员签字：(盖章)年月日") == 1


def test_draft_is_marked_and_printed_from_the_live_form(world):
    application = make_application(world, versions=0)
    doc = form_document(application)
    assert doc["draft"] and doc["version"] is None
    text = squash(pdf_text(form_pdf(doc)))
    assert "草稿" in text and application.enrolment.enterprise.uscc in text and "冀环办字函〔2020〕202号" in text


def test_same_form_same_pdf_bytes(world):
    doc = form_document(reviewed(world, Kind.EVALUATION))
    assert form_pdf(doc) == form_pdf(doc)


@pytest.mark.parametrize("kind", [Kind.EVALUATION, Kind.ACCEPTANCE])
def test_one_page(world, kind):
    from pypdf import PdfReader

    application = reviewed(world, kind)
    decide(world, application, Step.PROVINCE_REVIEW, opinion="同意。" * 30, role=Role.PROVINCE_STAFF)
    assert len(PdfReader(io.BytesIO(form_pdf(form_document(application)))).pages) == 1

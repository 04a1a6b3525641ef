"""A batch's covering letter and its list of enterprises as .docx and PDF."""

import os

import pytest

from cpaudit.applications.document import batch_document
from cpaudit.applications.models import Kind
from cpaudit.applications.render import batch_docx, batch_pdf

from .docfixtures import batch_content, docx_text, make_batch, missing_in_order, pdf_text, squash

pytestmark = pytest.mark.django_db


def expected(doc, form_title):
    items = doc["items"]
    return [doc["title"], doc["recipient"] + "：", *doc["letter"].split("\n"),
            f"附件：1.企业名单2.{form_title}（{len(items)}份）", doc["agency"], "2020年8月18日", "企业名单",
            "序号", "企业名称", "统一社会信用代码", "所在县（市、区）", "管理级别", "组织单位",
            *[piece for item in items for piece in (item["enterprise"], item["uscc"])]]


@pytest.mark.parametrize(("kind", "form_title"), [(Kind.EVALUATION, "清洁生产审核评估申请表"),
                                                  (Kind.ACCEPTANCE, "清洁生产审核验收申请表")])
def test_letter_and_list_in_order(world, kind, form_title):
    doc = batch_document(make_batch(world, kind=kind))
    docx, pdf = batch_docx(doc), batch_pdf(doc)
    if os.environ.get("CPAUDIT_KEEP_FORMS"):
        for name, data in ((f"batch-{kind}.docx", docx), (f"batch-{kind}.pdf", pdf)):
            with open(os.path.join(os.environ["CPAUDIT_KEEP_FORMS"], name), "wb") as fh:
                fh.write(data)
    assert missing_in_order(expected(doc, form_title), docx_text(docx)) == []
    assert missing_in_order(expected(doc, form_title), pdf_text(pdf)) == []


def test_long_list_runs_over_pages_with_every_enterprise(world):
    items = [{"enterprise": f"第{n:02d}号测试印染有限公司", "uscc": f"9113060200000{n:04d}X", "county": "竞秀区",
              "management_level": "其他", "organizer": "保定市生态环境局竞秀区分局", "version": 1, "digest": "0" * 64}
             for n in range(1, 61)]
    doc = batch_document(make_batch(world, content=batch_content(world, items=items)))
    text = pdf_text(batch_pdf(doc))
    assert missing_in_order([i["enterprise"] for i in items], text) == []
    assert "（60份）" in squash(text)


def test_same_letter_same_pdf_bytes(world):
    doc = batch_document(make_batch(world))
    assert batch_pdf(doc) == batch_pdf(doc)

"""Applications, versions, decisions and batches written directly with the ORM (the chain's services
are not needed to print a form), and readers for the generated .docx / .pdf text."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from django.utils import timezone

from cpaudit.applications import formspec
from cpaudit.applications.models import (
    Application,
    ApplicationVersion,
    Batch,
    Decision,
    Kind,
    Level,
    Outcome,
    Status,
)
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role

SEED_TABLES = Path(__file__).resolve().parent.parent / "data" / "seed_tables.txt"
BOXES = "☑□☐"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


T1_VALUES = {
    "application_date": "2020-08-10", "address": "保定市竞秀区朝阳北大街1号", "legal_representative": "王法人",
    "contact_person": "李联系", "contact_phone": "0312-5550101", "nature": "有限责任公司",
    "registered_capital": "5000.00", "main_business_revenue": "12000.00", "main_products": "精制棉纱、坯布",
    "document_number": "冀环办字函〔2020〕202号", "audit_round": 2, "mode": "entrusted",
    "consulting_agency": "测试清洁生产咨询有限公司", "start_date": "2020-03-01", "end_date": "2020-07-31",
    "enterprise_type": "shuangyou3", "has_deadline_project": True, "deadline_project_done": False,
    "has_violation": False,
}
T2_VALUES = {
    "application_date": "2020-11-05", "address": "保定市竞秀区朝阳北大街1号", "postcode": "071000",
    "legal_representative": "王法人", "form_filler": "赵填表", "contact_phone": "0312-5550102",
    "nature": "有限责任公司", "registered_capital": "5000.00", "main_products": "精制棉纱、坯布",
    "annual_output_value": "15000.00", "annual_sales": "14000.00", "time_limit_explanation": "",
    "had_incident": True, "incident_rectified": True,
}
T2_REGISTRY = {"evaluation_passed_date": "2020-09-01", "within_time_limit": False}


def enrolment(world, rel: str = "own") -> Enrolment:
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[rel])


def make_application(world, rel: str = "own", kind: str = Kind.EVALUATION, values: dict | None = None,
                     versions: int = 1, status: str = Status.BRANCH_REVIEW) -> Application:
    """An application of the relation's enterprise with `versions` frozen versions (0: a draft)."""
    enrol = enrolment(world, rel)
    data = dict(values if values is not None else (T1_VALUES if kind == Kind.EVALUATION else T2_VALUES))
    application = Application.objects.create(campaign=world.campaign, enrolment=enrol, kind=kind, form_data=data,
                                             status=status if versions else Status.DRAFT)
    enterprise = enrol.enterprise
    registry = {"name": enterprise.name, "industry": f"{enterprise.industry.name}（{enterprise.industry_id}）"}
    registry.update({"uscc": enterprise.uscc} if kind == Kind.EVALUATION else T2_REGISTRY)
    for number in range(1, versions + 1):
        ApplicationVersion.objects.create(
            application=application, number=number, content=formspec.freeze(kind, data, registry),
            digest=f"{number:064x}", submitted_by=world.users[Role.ENTERPRISE],
            submitted_at=at(dt.date(2020, 8, 10 + number)))
    return application


def decide(world, application, step, *, outcome=Outcome.AGREE, opinion="", checks=None, name="",
           day=dt.date(2020, 8, 15), role=Role.BRANCH_STAFF, version=None) -> Decision:
    user = world.users[role]
    return Decision.objects.create(
        application=application, version=version or application.versions.order_by("-number").first(),
        step=step, outcome=outcome, opinion=opinion, checks=checks or {}, actor=user,
        actor_name=name or user.full_name, agency=user.agency or world.province, decided_at=at(day))


def batch_content(world, kind: str = Kind.EVALUATION, items: list[dict] | None = None) -> dict:
    label = Kind(kind).label
    if items is None:
        items = [{"enterprise": f"保定第{n}测试企业有限公司", "uscc": f"91130602MA0000000{n}",
                  "county": "竞秀区", "management_level": "市管", "organizer": "保定市生态环境局",
                  "version": 1, "digest": f"{n:064x}"} for n in range(1, 4)]
    return {
        "title": f"保定市生态环境局竞秀区分局关于报送2020年清洁生产审核{label}申请的请示",
        "agency": "保定市生态环境局竞秀区分局", "recipient": "保定市生态环境局", "kind": str(kind),
        "kind_label": label,
        "campaign": {"name": world.campaign.name, "year": 2020, "document_number": world.campaign.document_number},
        "letter": f"根据工作安排，我局已完成辖区内企业清洁生产审核{label}申请材料的初审。\n现将有关材料报上，请予审查。",
        "date": "2020-08-18", "signed_by": "局长甲", "items": items,
    }


def make_batch(world, agency=None, kind: str = Kind.EVALUATION, content: dict | None = None) -> Batch:
    agency = agency or world.branch_a
    content = content or batch_content(world, kind)
    number = Batch.objects.filter(agency=agency, campaign=world.campaign, kind=kind).count() + 1
    return Batch.objects.create(
        level=Level.BRANCH, agency=agency, recipient=agency.supervisor or world.province, campaign=world.campaign,
        kind=kind, number=number, title=content["title"], letter=content["letter"], content=content,
        digest="a" * 64, submitted_by=world.users[Role.BRANCH_LEADER], submitted_at=at(dt.date(2020, 8, 18)))


# --- reading the generated documents ---------------------------------------------------------------

def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell in document order (a merged cell once)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts: list[str] = []
    seen: dict[int, object] = {}  # holds the elements too: an lxml proxy's id is reused once freed
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    if id(cell._tc) not in seen:
                        seen[id(cell._tc)] = cell._tc
                        parts.append(cell.text)
        else:
            parts.append(block.text)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


# --- the seed's labels -----------------------------------------------------------------------------

def seed_tables() -> dict[str, str]:
    """{"evaluation": Table 1 text, "acceptance": Table 2 text} from the verbatim copy of the seed."""
    text = SEED_TABLES.read_text(encoding="utf-8")
    head, _, tail = text.partition("\n表2")
    return {Kind.EVALUATION: head, Kind.ACCEPTANCE: "表2" + tail}


def seed_labels(table_text: str) -> list[str]:
    """The labels of one seed table in order: every non-empty cell text (cells are tab-separated,
    four or more spaces separate the pieces of a cell), boxes and blank 年 月 日 removed."""
    labels: list[str] = []
    for line in table_text.splitlines():
        line = re.sub(r"\[bookmark: [^\]]*\]", "", line)
        line = re.sub(r"年\s+月\s+日", "", line)
        line = re.sub(f"[{BOXES}]", "", line)
        for cell in line.split("\t"):
            labels += [piece.strip() for piece in re.split(r"\s{4,}", cell) if piece.strip()]
    return labels


def missing_in_order(labels: list[str], text: str) -> list[str]:
    """The labels not found in `text` in order (whitespace and boxes ignored); [] when all are."""
    flat = re.sub(f"[{BOXES}]", "", squash(text))
    cursor, missing = 0, []
    for label in labels:
        at_ = flat.find(squash(label), cursor)
        if at_ < 0:
            missing.append(label)
        else:
            cursor = at_ + len(squash(label))
    return missing

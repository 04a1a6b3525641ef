"""The seed's Table 1 and Table 2 as a neutral grid: both renderers draw the same cells.

The labels are the circular's, verbatim and in its order (its spacing quirks included: "地   址",
"邮 编", "年销售额(万元）", "(盖章)"; Table 2 signs the province block 初审人员签字 too). The grid has
six columns — label, value, label, value, label, value — and a cell may span columns and rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from cpaudit.campaigns.models import AuditMode, EnterpriseType
from cpaudit.reports.render.common import cn_date

from ..models import Kind

TICKED, EMPTY = "☑", "□"  # ☑ U+2611, □ U+25A1
BLANK_DATE = "      年    月    日"  # room to write the date by hand
SEAL = "(盖章)"
COLUMNS = 6
# Column widths in mm (A4 less 18 mm margins: 174 mm): the first fits 主营业务收入（万元） on one line,
# the last an 18-character 统一社会信用代码.
WIDTHS = (40, 26, 18, 30, 18, 42)  # both tables
# Blank height (mm) above the signature in an opinion block: what one A4 page leaves for signing.
OPINION_ROOM = {Kind.EVALUATION: 11, Kind.ACCEPTANCE: 18}


@dataclass
class Opinion:
    """An opinion block: optional heading (Table 2 prints it inside), the text, signature and date."""

    heading: str
    text: str
    signature: str
    date: str


@dataclass
class Cell:
    col: int
    text: str = ""
    span: int = 1
    rows: int = 1
    label: bool = False  # printed verbatim from the circular
    align: str = "left"  # or "center"
    opinion: Opinion | None = None


def box(checked: bool) -> str:
    return TICKED if checked else EMPTY


def yes_no(value) -> str:
    return f"是{box(value is True)}    否{box(value is False)}"


def application_date_line(value) -> str:
    return f"申请日期：{cn_date(value)}" if value else "申请日期：    年    月    日"


def _text(value) -> str:
    return "" if value is None else str(value)


def _date(value) -> str:
    return cn_date(value) if value else ""


def _round(value) -> str:
    return f"第{value}轮" if value not in (None, "") else ""


def _label(col: int, text: str, span: int = 1, rows: int = 1) -> Cell:
    return Cell(col, text, span=span, rows=rows, label=True, align="center")


def _pair(label: str, value: str) -> list[Cell]:
    """A label and its value across the rest of the row."""
    return [_label(0, label), Cell(1, value, span=COLUMNS - 1)]


def _question(label: str, answer: str) -> list[Cell]:
    return [Cell(0, label, span=4, label=True), Cell(4, answer, span=2, align="center")]


def _questions(pairs: list[tuple[str, object]], footer: str = "") -> list[Cell]:
    answers = "\n".join(yes_no(a) for _, a in pairs) + (f"\n{footer}" if footer else "")
    return [Cell(0, "\n".join(q for q, _ in pairs), span=4, label=True), Cell(4, answers, span=2, align="center")]


def checker_line(checks: dict) -> str:
    """Who answered the branch's checks, and when (form_rows passes the document's checks_by as "_by")."""
    by = checks.get("_by")
    return f"（核查：{by['name']} {cn_date(by['date'])}）" if by else ""


def _enterprise_type(value) -> str:
    fifth = [f"第{n}类{box(value == f'shuangyou{i}')}" for i, n in enumerate("一二三四五", 1)]
    return "\n".join([
        f"双超企业{box(value == EnterpriseType.DOUBLE_EXCEED)}",
        "双有企业：" + "  ".join(fifth),
        f"其他企业{box(value == EnterpriseType.OTHER)}",
    ])


def _opinion(block: dict, heading: str, signer: str) -> Opinion:
    text = block.get("opinion") or ""
    if text and block.get("returned"):
        text = "退回：" + text
    approval = block.get("approval")
    if approval:
        text += f"\n（负责人审批：{approval['name']} {cn_date(approval['date'])}）"
    paper = block.get("transcribed")
    if paper:
        # A paper reply: the opinion as written, marked as transcribed, with its 文号 and its recorder.
        number = f"{paper['number']}，" if paper.get("number") else ""
        text += f"\n（据来文录入：{number}{paper['recorder']}录入）"
    name = block.get("name") or ""
    return Opinion(heading, text.strip(), f"{signer}{name}            {SEAL}",
                   cn_date(block["date"]) if block.get("date") else BLANK_DATE)


def _table1(v: dict, checks: dict, opinions: dict) -> list[list[Cell]]:
    entrusted = v.get("mode") == AuditMode.ENTRUSTED
    return [
        _pair("企业名称\n（加盖公章）", _text(v.get("name"))),
        _pair("企业所在地", _text(v.get("address"))),
        [_label(0, "法定代表人"), Cell(1, _text(v.get("legal_representative"))), _label(2, "联系人"),
         Cell(3, _text(v.get("contact_person"))), _label(4, "联系电话"), Cell(5, _text(v.get("contact_phone")))],
        [_label(0, "企业性质"), Cell(1, _text(v.get("nature"))), _label(2, "所属行业"),
         Cell(3, _text(v.get("industry"))), _label(4, "企业代码"), Cell(5, _text(v.get("uscc")))],
        _pair("注册资本\n（万元）", _text(v.get("registered_capital"))),
        _pair("主营业务收入（万元）", _text(v.get("main_business_revenue"))),
        _pair("企业主要产品", _text(v.get("main_products"))),
        [_label(0, "名单企业\n“省级文号”"), Cell(1, _text(v.get("document_number")), span=3),
         _label(4, "审核轮次"), Cell(5, _round(v.get("audit_round")))],
        # 委托 and 自审 are two rows beside one merged label; the agency's name sits beside 委托.
        [_label(0, "开展审核方式", rows=2), Cell(1, f"委托 {box(entrusted)}"),
         _label(2, "咨询机构名称", span=2, rows=2),
         Cell(4, _text(v.get("consulting_agency")) if entrusted else "", span=2, rows=2)],
        [Cell(1, f"自审 {box(v.get('mode') == AuditMode.SELF)}")],
        _pair("开始审核时间", _date(v.get("start_date"))),
        _pair("完成审核时间", _date(v.get("end_date"))),
        _pair("企业类型", _enterprise_type(v.get("enterprise_type"))),
        # The circular stacks these questions in one cell and their answers line by line beside them.
        _questions([("清洁生产审核过程中是否有限期治理项目", v.get("has_deadline_project")),
                    ("清洁生产审核过程中限期治理项目是否已完成", v.get("deadline_project_done")),
                    ("清洁生产审核过程中是否有其他环保违规处罚事件", v.get("has_violation"))]),
        _questions([("提交申请评估资料是否齐全", checks.get("materials_complete")),
                    ("企业实际情况是否属实", checks.get("facts_true"))], checker_line(checks)),
        [_label(0, "设区市（省管县）\n清洁生产主管部门意见"),
         Cell(1, span=5, opinion=_opinion(opinions["city"], "", "初审人员签字："))],
        [_label(0, "河北省生态环境厅意见"),
         Cell(1, span=5, opinion=_opinion(opinions["province"], "", "审批人员签字："))],
    ]


def _table2(v: dict, checks: dict, opinions: dict) -> list[list[Cell]]:
    explanation = (v.get("time_limit_explanation") or "").strip()
    in_time = yes_no(v.get("within_time_limit")) + (f"\n相关说明：{explanation}" if explanation else "")
    return [
        _pair("企业名称", _text(v.get("name"))),
        [_label(0, "地   址"), Cell(1, _text(v.get("address")), span=3), _label(4, "邮 编"),
         Cell(5, _text(v.get("postcode")))],
        [_label(0, "法人代表"), Cell(1, _text(v.get("legal_representative"))), _label(2, "填表人"),
         Cell(3, _text(v.get("form_filler"))), _label(4, "电 话"), Cell(5, _text(v.get("contact_phone")))],
        [_label(0, "企业性质"), Cell(1, _text(v.get("nature"))), _label(2, "所属行业"),
         Cell(3, _text(v.get("industry")), span=3)],
        _pair("注册资本（万元）", _text(v.get("registered_capital"))),
        _pair("主要产品", _text(v.get("main_products"))),
        _pair("年产值（万元）", _text(v.get("annual_output_value"))),
        _pair("年销售额(万元）", _text(v.get("annual_sales"))),
        _pair("通过评估时间", _date(v.get("evaluation_passed_date"))),
        _question("是否符合提请验收的时限要求或有相关说明", in_time),
        _question("企业在清洁生产审核开始至提交验收申请期间是否发生严重污染环境事故及环保违法行为",
                  yes_no(v.get("had_incident"))),
        _question("如发生严重污染环境事故及环保违法行为，是否完成整改并由相关部门验收通过",
                  yes_no(v.get("incident_rectified"))),
        _question("上报材料是否齐全", yes_no(checks.get("materials_complete"))),
        _question("中/高费方案是否与企业实际相符", "\n".join(filter(None, [yes_no(checks.get("options_match")),
                                                                 checker_line(checks)]))),
        # Table 2 prints each opinion block across the whole row, its heading inside.
        [Cell(0, span=COLUMNS, opinion=_opinion(opinions["city"], "设区市（省管县）清洁生产主管部门初审意见",
                                                "初审人员签字："))],
        [Cell(0, span=COLUMNS, opinion=_opinion(opinions["province"], "河北省生态环境厅意见", "初审人员签字："))],
    ]


def form_rows(doc: dict) -> list[list[Cell]]:
    build = _table1 if doc["kind"] == Kind.EVALUATION else _table2
    checks = {**(doc.get("checks") or {}), "_by": doc.get("checks_by")}
    return build(doc.get("values") or {}, checks, doc.get("opinions") or {})


def meta_line(doc: dict) -> str:
    """A small line under the table: which version (or that it is a draft) and its SM3 digest."""
    if doc.get("draft"):
        return "草稿（尚未提交，仅供核对）"
    parts = [f"第{doc['version']}版"]
    if doc.get("submitted_at"):
        parts.append(f"提交于{cn_date(doc['submitted_at'][:10])}")
    if doc.get("digest"):
        parts.append(f"SM3：{doc['digest']}")
    return "　".join(parts)


# --- the batch letter ------------------------------------------------------------------------------

LIST_HEADERS = ["序号", "企业名称", "统一社会信用代码", "所在县（市、区）", "管理级别", "组织单位"]


def letter_recipient(doc: dict) -> str:
    recipient = (doc.get("recipient") or "").strip()
    return recipient if recipient.endswith(("：", ":")) or not recipient else recipient + "："


def letter_paragraphs(doc: dict) -> list[str]:
    return [p.strip() for p in (doc.get("letter") or "").split("\n") if p.strip()]


def letter_attachments(doc: dict) -> str:
    """附件: the list, the forms, and (since enterprises attach them) their letters and reports."""
    items = doc.get("items") or []
    line = f"附件：1. 企业名单  2. {doc['form_title']}（{len(items)}份）"
    labels: dict[str, int] = {}
    for item in items:
        for attachment in item.get("attachments") or []:
            labels[attachment.get("label", "")] = labels.get(attachment.get("label", ""), 0) + 1
    for n, (label, count) in enumerate(labels.items(), 3):
        line += f"  {n}. {label}（{count}份）"
    return line


def list_rows(doc: dict) -> list[list[str]]:
    return [[str(i), item.get("enterprise", ""), item.get("uscc", ""), item.get("county", ""),
             item.get("management_level", ""), item.get("organizer", "")]
            for i, item in enumerate(doc.get("items") or [], 1)]

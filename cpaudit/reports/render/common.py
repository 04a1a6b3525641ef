"""What both renderers print, in order: one neutral list of blocks built from the content dict.

Keeping the wording here means the .docx and the PDF say the same thing; each renderer only
decides how a block looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cpaudit.reports.content import applications_sentence

SEAL_LABEL = "（加盖单位公章）"
CN_NUMERALS = "一二三四五六七八九十"
STATUS_LABELS = {
    "submitted": "已按时报送",
    "on_time": "已按时报送",
    "late": "逾期报送",
    "submitted_late": "逾期报送",
    "missing": "未报送",
    "draft": "未报送（草稿）",
    "returned": "已退回",
}
_END_PUNCT = "。；！？.;!?：:"


@dataclass
class Block:
    kind: str  # "heading" | "subheading" | "para" | "item" | "table"
    text: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def cn_date(value: str | None) -> str:
    """'2020-07-28' -> '2020年7月28日'; anything else is returned unchanged."""
    if not value:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(value).strip())
    if not m:
        return str(value)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日"


def cn_month(value: str | None) -> str:
    if not value:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", str(value).strip())
    return f"{int(m[1])}年{int(m[2])}月" if m else str(value)


def cn_ordinal(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二 (headings never go past 99)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMERALS[tens - 1]
    return head + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def sentence(text: str) -> str:
    text = (text or "").strip()
    if text and text[-1] not in _END_PUNCT:
        text += "。"
    return text


def status_label(status: str | None) -> str:
    if not status:
        return ""
    return STATUS_LABELS.get(str(status), str(status))


def addressee_line(content: dict) -> str:
    addressee = (content.get("addressee") or "").strip()
    if not addressee:
        return ""
    return addressee if addressee.endswith(("：", ":")) else addressee + "："


def title(content: dict) -> str:
    if content.get("title"):
        return content["title"]
    return f"{content.get('unit', '')}关于{cn_month(content.get('month'))}清洁生产审核工作进度的报告"


def intro(content: dict) -> str:
    campaign = content.get("campaign") or {}
    name = (campaign.get("name") or "").strip()
    number = (campaign.get("document_number") or "").strip()
    as_of = cn_date(content.get("as_of"))
    basis = ""
    if name:
        quoted = name if name.startswith("《") else f"《{name}》"
        basis = f"根据{quoted}" + (f"（{number}）" if number else "") + "要求，"
    scope = "全市" if content.get("kind") == "city" else "我单位辖区"
    when = f"截至{as_of}" if as_of else ""
    return f"{basis}现将{scope}{when}清洁生产审核工作进度报告如下："


def table_rows(table: dict | None) -> tuple[list[str], list[list[str]]]:
    table = table or {}
    headers = [str(h) for h in (table.get("headers") or ["阶段", "企业数（家）"])]
    rows = [["" if v is None else str(v) for v in row] for row in (table.get("rows") or [])]
    width = max([len(headers)] + [len(r) for r in rows])
    headers += [""] * (width - len(headers))
    rows = [r + [""] * (width - len(r)) for r in rows]
    total = table.get("total")
    if total is not None:
        rows.append(["合计", str(total)] + [""] * (width - 2))
    return headers, rows


def progress_items(sentences: list[str] | None, not_started: str | None) -> list[str]:
    items = [sentence(s) for s in (sentences or []) if s and s.strip()]
    if not_started and not_started.strip():
        items.append(sentence(not_started))
    return [f"{i}．{text}" for i, text in enumerate(items, 1)]


def paragraphs(text: str | None, empty: str = "无。") -> list[str]:
    lines = [sentence(ln) for ln in (text or "").splitlines() if ln.strip()]
    return lines or [empty]


def stalled_text(stalled: list[str] | None) -> str:
    names = [str(n) for n in (stalled or []) if str(n).strip()]
    if not names:
        return "无。"
    return f"共{len(names)}家：" + "、".join(names) + "。"


def body_blocks(content: dict) -> list[Block]:
    blocks: list[Block] = [Block("para", intro(content))]
    n = 0

    def heading(text: str) -> None:
        nonlocal n
        n += 1
        blocks.append(Block("heading", f"{cn_ordinal(n)}、{text}"))

    heading("审核工作进度")
    items = progress_items(content.get("sentences"), content.get("not_started"))
    blocks += [Block("item", t) for t in items] or [Block("para", "本月无纳入审核的企业。")]

    heading("各阶段企业数量")
    headers, rows = table_rows(content.get("table"))
    blocks.append(Block("table", headers=headers, rows=rows))
    applications = applications_sentence(content.get("applications"))
    if applications:
        blocks.append(Block("para", sentence(applications)))

    heading("存在的问题")
    blocks += [Block("para", t) for t in paragraphs(content.get("problems"))]

    heading("本月未推进的企业")
    blocks.append(Block("para", stalled_text(content.get("stalled"))))

    sections = content.get("sections") or []
    if sections:
        heading("各分局情况")
        for i, sec in enumerate(sections, 1):
            status = status_label(sec.get("status"))
            label = f"（{cn_ordinal(i)}）{sec.get('unit', '')}" + (f"（{status}）" if status else "")
            blocks.append(Block("subheading", label))
            sec_items = progress_items(sec.get("sentences"), sec.get("not_started"))
            blocks += [Block("item", t) for t in sec_items] or [Block("para", "无纳入审核的企业。")]
            if sec.get("table"):
                h, r = table_rows(sec.get("table"))
                blocks.append(Block("table", headers=h, rows=r))
            problems = paragraphs(sec.get("problems"))
            blocks.append(Block("para", "存在的问题：" + problems[0]))
            blocks += [Block("para", t) for t in problems[1:]]
            blocks.append(Block("para", "本月未推进的企业：" + stalled_text(sec.get("stalled"))))

    remarks = (content.get("remarks") or "").strip()
    if remarks:
        heading("其他说明")
        blocks += [Block("para", t) for t in paragraphs(remarks)]
    return blocks


def meta_line(content: dict) -> str:
    parts = []
    if content.get("prepared_by"):
        parts.append(f"填报人：{content['prepared_by']}")
    if content.get("submitted_by"):
        parts.append(f"签发人：{content['submitted_by']}")
    version = content.get("version")
    parts.append(f"第{version}版" if version else "草稿（未报送）")
    return "　　".join(parts)


def all_text(content: dict) -> str:
    """Every string a renderer may print (used to check glyph coverage)."""
    out = [content.get("unit", ""), title(content), addressee_line(content), cn_date(content.get("date")),
           SEAL_LABEL, meta_line(content), "第页共"]
    for b in body_blocks(content):
        out.append(b.text)
        out += b.headers
        for r in b.rows:
            out += r
    return "".join(out)

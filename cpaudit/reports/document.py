"""The wording of a monthly report: the content's data composed once into a list of blocks, which the
text, Word and PDF renderers (and the page) only lay out, so all of them say the same words.

Blocks (JSON-safe dicts, frozen in the content under "blocks")::

    {"type": "masthead", "unit": str, "number": str}   # 发文机关标志 and, under it, the 文号 ("" if none)
    {"type": "title", "text": str}
    {"type": "addressee", "text": str}                 # 主送机关, ending in ：
    {"type": "heading", "text": str}                   # 一、…
    {"type": "paragraph", "text": str}
    {"type": "list", "items": [str, …]}                # numbered items, the numbers in the text
    {"type": "table", "caption": str, "headers": [str], "rows": [[str]], "totals": [str] | [],
     "text_columns": [int]}                            # optional: left-aligned columns (default [0])
    {"type": "annexes", "items": [str, …]}             # 附件：1．… (the annexes' titles), before the signoff
    {"type": "signoff", "unit": str, "date": str, "seal": str}   # kept with the paragraphs before it
    {"type": "note", "text": str}                      # who prepared / signed, version
    {"type": "annex", "label": "附件1", "blocks": [block, …]}    # starts on a new page

`words(blocks)` lists the printed strings in reading order: what every rendering must contain, in that
order (tests read the .docx and .pdf back and compare).

The block vocabulary and its helpers (Headings, numbered, lines, table, signoff, annex_of, signer_note,
citation) serve every report the renderers print: the monthly report composed here, and the results
summaries (results_document.py).
"""

from __future__ import annotations

import re

from .standings import NOT_STARTED_ROW

SEAL_LABEL = "（加盖单位公章）"
ANNEXES_LABEL = "附件："
CN_NUMERALS = "一二三四五六七八九十"
_SUBMITTED = {"按时报送", "逾期报送", "submitted", "on_time", "late", "submitted_late"}
# Raw state codes of hand-made or very old contents, printed as the page prints them.
_STATUS_CODES = {"submitted": "按时报送", "on_time": "按时报送", "late": "逾期报送", "submitted_late": "逾期报送",
                 "missing": "逾期未报送", "pending": "未报送", "draft": "未报送", "returned": "已退回"}


# --- formatting ------------------------------------------------------------------------------------

def cn_date(value: str | None) -> str:
    """'2020-07-28' -> '2020年7月28日'; anything else is returned unchanged."""
    if not value:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(value).strip())
    if not m:
        return str(value)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日"


def cn_month(value: str | None) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", str(value or "").strip())
    return f"{int(m[1])}年{int(m[2])}月" if m else str(value or "")


def cn_ordinal(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二 (headings never go past 99)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMERALS[tens - 1]) + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def lines(text: str | None) -> list[str]:
    """Free text as written, one paragraph per non-empty line (nothing added, nothing invented)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def numbered(items: list[str]) -> list[str]:
    return [f"{i}．{text}" for i, text in enumerate(items, 1)]


def table(caption: str, headers, rows, totals=(), text_columns=None) -> dict:
    """A table block, every cell as text; `text_columns` are left-aligned (the first by default)."""
    block = {"type": "table", "caption": caption, "headers": [str(h) for h in headers],
             "rows": [[str(c) for c in row] for row in rows], "totals": [str(c) for c in totals]}
    if text_columns is not None:
        block["text_columns"] = list(text_columns)
    return block


def text_columns(block: dict) -> set[int]:
    """The columns a renderer aligns left (text); the others are centred (numbers, short values)."""
    return set(block.get("text_columns", [0]))


def signoff(unit: str, date: str | None) -> dict:
    """The unit, the date and the seal area at the end of the body."""
    return {"type": "signoff", "unit": unit, "date": cn_date(date), "seal": SEAL_LABEL}


def annex_of(label: str, inner: list[dict]) -> dict:
    """A submitted document printed as another's annex: its own wording, without its masthead and seal
    area (the annexing unit forwards a copy; the seal of the original is on the original's paper)."""
    kept = []
    for block in inner:
        if block["type"] == "masthead":
            continue
        kept.append(dict(block, seal="") if block["type"] == "signoff" else block)
    return {"type": "annex", "label": label, "blocks": kept}


def _status(section: dict) -> str:
    status = str(section.get("status") or "")
    return _STATUS_CODES.get(status, status)


def _submitted(section: dict) -> bool:
    if "submitted" in section:
        return bool(section["submitted"])
    return str(section.get("status") or "") in _SUBMITTED


# --- the parts -------------------------------------------------------------------------------------

def citation(content: dict) -> str:
    """根据《通知》（文号）要求， — from the campaign's notice; older contents name only the campaign."""
    from cpaudit.campaigns.models import notice_citation

    campaign = content.get("campaign") or {}
    notice = campaign.get("notice") or {}
    cited = notice_citation(notice.get("title", ""), notice.get("number", ""), notice.get("issuer", ""))
    if cited:
        return f"根据{cited}要求，"
    name = (campaign.get("name") or "").strip()
    return f"按照{name}工作安排，" if name else ""


def intro(content: dict) -> str:
    scope = "全市" if content.get("kind") == "city" else "本辖区"
    as_of = cn_date(content.get("as_of"))
    when = f"（数据截至{as_of}）" if as_of else ""
    return f"{citation(content)}现将{scope}{cn_month(content.get('month'))}清洁生产审核工作进展情况报告如下{when}："


def progress_items(part: dict) -> list[str]:
    items = [f"{s}。" for s in part.get("sentences") or [] if s and s.strip()]
    if (part.get("not_started") or "").strip():
        items.append(f"{part['not_started']}。")
    return numbered(items)


def stalled_text(stalled: list[str] | None) -> str:
    names = [str(n) for n in stalled or [] if str(n).strip()]
    if not names:
        return "本月已开始审核的企业均有进展。"
    return f"共{len(names)}家：" + "、".join(names) + "。"


def applications_text(applications: dict | None) -> str:
    if not applications:
        return ""
    e, a = applications.get("evaluation", {}), applications.get("acceptance", {})
    return (f"评估、验收情况：评估已申请{e.get('applied', 0)}家，通过{e.get('passed', 0)}家，"
            f"未通过{e.get('failed', 0)}家；验收已申请{a.get('applied', 0)}家，合格{a.get('passed', 0)}家，"
            f"不合格{a.get('failed', 0)}家。")


def stage_table(data: dict | None, caption: str) -> dict:
    data = data or {}
    rows = [[str(c) for c in row] for row in data.get("rows") or []]
    return table(caption, data.get("headers") or ["阶段", "企业数（家）"], rows,
                 ["合计", str(data.get("total", sum(int(r[1]) for r in rows if len(r) > 1)))])


def grid_table(grid: dict, caption: str) -> dict:
    return table(caption, grid["headers"], grid["rows"], grid["totals"])


def legacy_summary(sections: list[dict], city: str) -> dict | None:
    """Schema 1 city contents: the branch × stage grid from the sections' stage tables."""
    if not sections:
        return None
    labels = [row[0] for row in (sections[0].get("table") or {}).get("rows") or []]
    if not labels or labels[-1] != NOT_STARTED_ROW:
        return None
    rows = []
    for section in sections:
        counts = dict((r[0], int(r[1])) for r in (section.get("table") or {}).get("rows") or [])
        values = [counts.get(label, 0) for label in labels]
        rows.append([short_unit(section.get("unit", ""), city), *values, sum(values)])
    totals = ["合计"] + [sum(r[c] for r in rows) for c in range(1, len(labels) + 2)]
    return {"headers": ["分局", *labels, "合计"], "rows": rows, "totals": totals}


def signer_note(content: dict) -> str:
    parts = []
    if content.get("prepared_by"):
        parts.append(f"经办人：{content['prepared_by']}")
    if content.get("submitted_by"):
        parts.append(f"签发人：{content['submitted_by']}")
    version = content.get("version")
    parts.append(f"第{version}版" if version else "草稿，未报送")
    return "（" + "；".join(parts) + "）"


# --- composing -------------------------------------------------------------------------------------

class Headings:
    """Numbers the headings as they come (一、二、…): which sections a report has depends on it."""

    def __init__(self, blocks: list[dict]):
        self.blocks, self.n = blocks, 0

    def __call__(self, text: str) -> None:
        self.n += 1
        self.blocks.append({"type": "heading", "text": f"{cn_ordinal(self.n)}、{text}"})


def _progress(blocks: list[dict], content: dict, city: bool) -> None:
    items = progress_items(content)
    blocks.append({"type": "list", "items": items} if items else
                  {"type": "paragraph", "text": "本辖区暂无纳入本批次审核的企业。"})
    applications = applications_text(content.get("applications"))
    if applications:
        blocks.append({"type": "paragraph", "text": applications})
    number = 1
    summary = content.get("summary") or (legacy_summary(content.get("sections") or [], content.get("unit", ""))
                                           if city else None)
    if city and summary:
        blocks.append(grid_table(summary, f"表{number}　各分局审核企业所处阶段汇总（单位：家）"))
    else:
        blocks.append(stage_table(content.get("table"), f"表{number}　各阶段企业数（单位：家）"))
    if content.get("industries"):
        number += 1
        blocks.append(grid_table(content["industries"], f"表{number}　分行业审核企业所处阶段（单位：家）"))


def short_unit(unit: str, city: str) -> str:
    """竞秀区分局 for 保定市生态环境局竞秀区分局 in 保定市生态环境局's report."""
    return unit[len(city):] if city and unit.startswith(city) and len(unit) > len(city) else unit


def _reporting(sections: list[dict], city: str) -> str:
    by_status: dict[str, list[str]] = {}
    for section in sections:
        by_status.setdefault(_status(section), []).append(short_unit(section.get("unit", ""), city))
    parts = [f"{status}{len(units)}个" + ("" if status in ("按时报送", "逾期报送") else f"（{'、'.join(units)}）")
             for status, units in by_status.items()]
    return f"本月应报送月报的分局{len(sections)}个：" + "，".join(parts) + "。"


def _problems(blocks: list[dict], content: dict, sections: list[dict]) -> None:
    """As written: the unit's own text, then (city) each reporting branch's, in one list."""
    blocks += [{"type": "paragraph", "text": line} for line in lines(content.get("problems"))]
    city = content.get("unit", "")
    items = [f"{short_unit(s.get('unit', ''), city)}：{' '.join(lines(s.get('problems')))}"
             for s in sections if _submitted(s) and lines(s.get("problems"))]
    if items:
        blocks.append({"type": "paragraph", "text": "各分局报告的问题："})
        blocks.append({"type": "list", "items": numbered(items)})


def _annex(number: int, section: dict, content: dict) -> dict:
    """A submitted branch report as printed in the city's annex (annex_of)."""
    inner = section.get("blocks")
    if inner is None:  # schema 1: rebuild the branch's document from the section's figures
        inner = compose({**section, "kind": "branch", "addressee": content.get("unit", ""),
                         "title": section.get("title") or f"{section.get('unit', '')}关于"
                         f"{cn_month(content.get('month'))}清洁生产审核工作进度的报告",
                         "campaign": content.get("campaign"), "month": content.get("month"),
                         "as_of": "", "date": section.get("date", ""), "version": None})
        inner = [b for b in inner if b["type"] != "note"]
    return annex_of(f"附件{number}", inner)


def compose(content: dict) -> list[dict]:
    """The document's blocks, from a content of any schema."""
    city = content.get("kind") == "city"
    sections = content.get("sections") or []
    blocks = [{"type": "masthead", "unit": content.get("unit", ""), "number": content.get("document_number", "")},
              {"type": "title", "text": content.get("title", "")}]
    if content.get("addressee"):
        blocks.append({"type": "addressee", "text": f"{content['addressee']}："})
    blocks.append({"type": "paragraph", "text": intro(content)})
    heading = Headings(blocks)
    heading("审核工作进展")
    _progress(blocks, content, city)
    if city and sections:
        heading("各分局报送情况")
        blocks.append({"type": "paragraph", "text": _reporting(sections, content.get("unit", ""))})
    heading("存在的问题")
    _problems(blocks, content, sections if city else [])
    heading("本月无进展的企业")
    blocks.append({"type": "paragraph", "text": stalled_text(content.get("stalled"))})
    if lines(content.get("remarks")):
        heading("其他说明")
        blocks += [{"type": "paragraph", "text": line} for line in lines(content.get("remarks"))]
    blocks.append({"type": "paragraph", "text": "特此报告。"})
    annexed = [s for s in sections if _submitted(s)] if city else []
    if annexed:
        titles = [s.get("title") or f"{s.get('unit', '')}月度进度报告" for s in annexed]
        blocks.append({"type": "annexes", "items": numbered(titles)})
    blocks.append(signoff(content.get("unit", ""), content.get("date")))
    blocks.append({"type": "note", "text": signer_note(content)})
    blocks += [_annex(n, s, content) for n, s in enumerate(annexed, 1)]
    return blocks


def blocks_of(content: dict) -> list[dict]:
    """The frozen wording of a content, or (schema 1, drafts built before) the wording composed now."""
    return content["blocks"] if content.get("blocks") else compose(content)


def words(blocks: list[dict]) -> list[str]:
    """Every printed string, in reading order."""
    out: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "masthead":
            out += [block["unit"]] + ([block["number"]] if block.get("number") else [])
        elif kind in ("title", "addressee", "heading", "paragraph", "note"):
            out.append(block["text"])
        elif kind == "list":
            out += block["items"]
        elif kind == "annexes":
            out += [ANNEXES_LABEL, *block["items"]]
        elif kind == "table":
            out += [block["caption"], *block["headers"]] + [c for row in block["rows"] for c in row] + block["totals"]
        elif kind == "signoff":
            out += [t for t in (block["unit"], block["date"], block.get("seal", "")) if t]
        elif kind == "annex":
            out += [block["label"], *words(block["blocks"])]
    return out

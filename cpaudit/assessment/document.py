"""A circular (通报) as a document: the figures drafted from the scorecards, the editable wording, and
the frozen content (blocks, printed by the monthly report's renderers with the seal's footer).

`draft_figures` freezes, when the draft is made, the scorecard rows (every branch with its figures and
rank) and the lagging enterprises; `default_texts` proposes the wording staff then edit; `content`
composes the blocks from the circular's fields and figures (at issue it is frozen in `Circular.content`
and in the issued document)."""

from __future__ import annotations

import io

from cpaudit.reports.document import cn_date, cn_month, cn_ordinal, lines, numbered, table

from .scorecards import Scorecards

HEADERS = ["单位", "纳入企业", "按节点推进", "停滞", "月报", "评估按期", "验收按期", "逾期申请", "抽查问题",
           "应开展未开展", "得分", "排名"]


def _pct(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def card_row(card) -> list:
    return [card.name, card.enrolled, f"{card.on_schedule}（{_pct(card.on_schedule_rate)}）", card.stale,
            card.report_label, f"{card.evaluation_in_time}/{card.evaluation_due}",
            f"{card.acceptance_in_time}/{card.acceptance_due}", card.late_applications, card.spotcheck_findings,
            card.coverage_gaps, f"{card.score:.1f}", card.province_rank or card.rank]


def draft_figures(cards: Scorecards, enterprises: list[dict]) -> dict:
    rows = sorted(cards.branches, key=lambda c: (c.province_rank or c.rank, c.city_code, c.code))
    return {
        "day": cards.day.isoformat(), "month": cards.month.strftime("%Y-%m"),
        "rows": [card_row(c) for c in rows],
        "cities": [card_row(c) for c in cards.cities],
        "lagging": [{"name": c.name, "score": f"{c.score:.1f}", "behind": c.behind, "enrolled": c.enrolled,
                     "stale": c.stale, "report": c.report_label, "late": c.late_applications} for c in cards.lagging()],
        "enterprises": enterprises,
    }


def default_texts(agency, campaign, month, figures: dict) -> dict:
    citation = campaign.notice_citation() or f"《{campaign.name}》"
    opening = (f"根据{citation}要求，{agency}对截至{cn_date(figures['day'])}各单位清洁生产审核工作推进情况进行了考核，"
               f"现将{cn_month(figures['month'])}考核情况通报如下。")
    lagging = "、".join(f"{x['name']}（{x['score']}分）" for x in figures["lagging"])
    if lagging:
        opening += f"\n{lagging}得分低于平均水平，工作进度滞后。"
    requirements = ("各单位要对照通报问题逐项整改，督促进度滞后企业按时间节点完成审核工作任务，"
                    "确保8月20日前完成评估、11月20日前完成验收。\n"
                    "对整改不力、进度持续滞后的单位，将视情况予以约谈。")
    return {"title": f"关于{cn_month(figures['month'])}清洁生产审核工作推进情况的通报",
            "addressee": "各县（市、区）生态环境分局：", "opening": opening, "requirements": requirements}


def content(circular) -> dict:
    figures = circular.figures or {}
    heads = iter(range(1, 20))
    blocks = [{"type": "masthead", "unit": str(circular.agency), "number": circular.number},
              {"type": "title", "text": circular.title}]
    if circular.addressee:
        blocks.append({"type": "addressee", "text": circular.addressee})
    blocks += [{"type": "paragraph", "text": t} for t in lines(circular.opening)]
    blocks.append({"type": "heading", "text": f"{cn_ordinal(next(heads))}、考核得分及排名"})
    blocks.append(table(f"考核数据截至{cn_date(figures.get('day'))}", HEADERS, figures.get("rows", []),
                        text_columns=[0, 4]))
    if figures.get("cities"):
        blocks.append(table("各设区市（省管县）汇总", HEADERS, figures["cities"], text_columns=[0, 4]))
    if figures.get("lagging"):
        blocks.append({"type": "heading", "text": f"{cn_ordinal(next(heads))}、工作滞后的单位"})
        blocks.append({"type": "list", "items": numbered([
            f"{x['name']}：得分{x['score']}分，纳入企业{x['enrolled']}家中{x['behind']}家未按时间节点推进，"
            f"{x['stale']}家停滞，月报{x['report']}，逾期申请{x['late']}件" for x in figures["lagging"]])})
    if figures.get("enterprises"):
        blocks.append({"type": "heading", "text": f"{cn_ordinal(next(heads))}、进度滞后的企业"})
        blocks.append(table("", ["县（市、区）", "企业名称", "存在问题"],
                            [[e["county"], e["name"], e["problems"]] for e in figures["enterprises"]],
                            text_columns=[0, 1, 2]))
    if circular.requirements.strip():
        blocks.append({"type": "heading", "text": f"{cn_ordinal(next(heads))}、工作要求"})
        blocks += [{"type": "paragraph", "text": t} for t in lines(circular.requirements)]
    date = (circular.issued_at.date() if circular.issued_at else None)
    blocks.append({"type": "signoff", "unit": str(circular.agency), "date": cn_date(date.isoformat()) if date else "",
                   "seal": ""})
    return {"kind": "circular", "title": circular.title, "unit": str(circular.agency), "number": circular.number,
            "month": figures.get("month", ""), "blocks": blocks}


def render_docx(data: dict) -> bytes:
    from docx import Document

    from cpaudit.documents.footer import docx_seal_footer
    from cpaudit.reports.render.docx import render_docx as report_docx

    # The report's layout without its own seal footer (whichever version of it), then ours, once.
    document = Document(io.BytesIO(report_docx({k: v for k, v in data.items() if k != "seal"})))
    docx_seal_footer(document.sections[0], data)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def render_pdf(data: dict) -> bytes:
    from reportlab.platypus import SimpleDocTemplate

    from cpaudit.documents.footer import pdf_seal_footer
    from cpaudit.reports.render import common
    from cpaudit.reports.render.fonts import get_pdf_font
    from cpaudit.reports.render.pdf import MARGINS, _document, _numbered_canvas, _styles

    font = get_pdf_font()
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, title=data.get("title", ""), author=data.get("unit", ""), creator="cpaudit",
                            invariant=1, initialFontName=font.name, **MARGINS)
    body, _ = common.body_and_annexes(common.blocks_of(data))
    footer = pdf_seal_footer(data, font.name)
    pdf.build(_document(body, font, _styles(font), pdf.width), onFirstPage=footer, onLaterPages=footer,
              canvasmaker=_numbered_canvas(font))
    return buf.getvalue()

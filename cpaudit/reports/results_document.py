"""The wording of a results summary (评估/验收结果汇总) as blocks (document.py's vocabulary), laid out by
the same text, Word and PDF renderers as the monthly report, so the three say the same words.

A branch (or 省直管县): the citation and data date, 一、总体情况 (the counts in a sentence), 二、企业名单
(who applied, who organizes, the result and its date, late or not), the remarks, the signature and
seal area. A city: the same for all its counties with a table by county and totals, then 三、各分局报送
情况, and the accepted branch summaries as annexes.
"""

from __future__ import annotations

from .document import (
    Headings,
    annex_of,
    citation,
    cn_date,
    lines,
    numbered,
    short_unit,
    signer_note,
    signoff,
    table,
)

YES = "是"
NO = "否"


def overall(content: dict) -> str:
    c, names = content["counts"], content["labels"]
    scope = "全市" if content["level"] == "city" else "本辖区"
    phase = content["phase"]
    deadline = f"{phase}完成期限为{cn_date(content['deadline'])}。"
    if not c["applied"]:
        return f"{deadline}{scope}暂无企业申请{phase}。"
    return (f"{deadline}{scope}已申请{phase}的企业{c['applied']}家：{names['passed']}{c['passed']}家，"
            f"{names['failed']}{c['failed']}家，尚未出结论{c['pending']}家；其中逾期{c['late']}家"
            f"（期限后出结论，或期限已过仍未出结论）。")


def intro(content: dict) -> str:
    scope = "全市" if content["level"] == "city" else "本辖区"
    when = f"{content['year']}年" if content.get("year") else ""
    return (f"{citation(content)}现将{scope}{when}清洁生产审核{content['phase']}结果汇总情况报告如下"
            f"（数据截至{cn_date(content['as_of'])}）：")


def county_table(content: dict, number: int) -> dict:
    names = content["labels"]
    headers = ["县（市、区）", "已申请", names["passed"], names["failed"], "未出结论", "逾期"]
    keys = ("applied", "passed", "failed", "pending", "late")
    rows = [[row["name"], *(row["counts"][k] for k in keys)] for row in content["rows"]]
    return table(f"表{number}　各县（市、区）{content['phase']}结果汇总（单位：家）", headers, rows,
                 ["合计", *(content["counts"][k] for k in keys)])


def enterprise_table(content: dict, number: int) -> dict:
    city = content["level"] == "city"
    headers = ["序号", "企业名称", *(["县（市、区）"] if city else []), "组织单位", "办理环节", "结论", "结论日期", "逾期"]
    rows = []
    for n, e in enumerate(content["enterprises"], 1):
        rows.append([n, e["name"], *([e["county_name"]] if city else []), e["organizer"] or "—", e["stage"] or "—",
                     e["result"], cn_date(e["result_date"]) or "—", YES if e["late"] else NO])
    text = [1, 2, 3] if city else [1, 2]
    return table(f"表{number}　{content['phase']}企业名单", headers, rows, text_columns=text)


def compose(content: dict) -> list[dict]:
    city = content["level"] == "city"
    blocks = [{"type": "masthead", "unit": content["unit"], "number": content.get("document_number", "")},
              {"type": "title", "text": content["title"]}]
    if content.get("addressee"):
        blocks.append({"type": "addressee", "text": f"{content['addressee']}："})
    blocks.append({"type": "paragraph", "text": intro(content)})
    heading = Headings(blocks)
    heading("总体情况")
    blocks.append({"type": "paragraph", "text": overall(content)})
    number = 0
    if city:
        number += 1
        blocks.append(county_table(content, number))
    heading("企业名单")
    if content["enterprises"]:
        number += 1
        blocks.append(enterprise_table(content, number))
    else:
        blocks.append({"type": "paragraph", "text": f"暂无企业申请{content['phase']}。"})
    sections = content.get("sections") or []
    if city:
        heading("各分局报送情况")
        blocks.append({"type": "paragraph", "text": f"应报送{content['phase']}结果汇总的分局{len(sections)}个："
                       if sections else "本市没有应报送结果汇总的分局。"})
        if sections:
            blocks.append({"type": "list", "items": numbered(
                [f"{short_unit(s['unit'], content['unit'])}：{s['state']}" for s in sections])})
    if lines(content.get("remarks")):
        heading("情况说明")
        blocks += [{"type": "paragraph", "text": line} for line in lines(content.get("remarks"))]
    blocks.append({"type": "paragraph", "text": "特此报告。"})
    annexed = [s for s in sections if s.get("accepted")]
    if annexed:
        blocks.append({"type": "annexes", "items": numbered([s["title"] for s in annexed])})
    blocks.append(signoff(content["unit"], content.get("date")))
    blocks.append({"type": "note", "text": signer_note(content)})
    blocks += [annex_of(f"附件{n}", s["blocks"]) for n, s in enumerate(annexed, 1)]
    return blocks

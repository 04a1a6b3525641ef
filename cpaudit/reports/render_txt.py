"""Plain-text rendering of a report's content dict (see content.py for the schema)."""

import unicodedata

from .content import applications_sentence

SEAL = "（加盖单位公章）"


def _width(text: str) -> int:
    """Display width: CJK (wide/fullwidth) characters count two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table_lines(table: dict) -> list[str]:
    rows = [list(map(str, table["headers"]))] + [[str(c) for c in row] for row in table["rows"]]
    rows.append(["合计", str(table["total"])])
    first = max(_width(r[0]) for r in rows)
    second = max(_width(r[1]) for r in rows)
    lines = []
    for i, (label, value) in enumerate(rows):
        lines.append(f"{_pad(label, first)}  {' ' * (second - _width(value))}{value}")
        if i == 0:
            lines.append("-" * (first + 2 + second))
    return lines


def _body(part: dict) -> list[str]:
    lines = [f"{s}。" for s in part["sentences"]]
    if part["not_started"]:
        lines.append(f"{part['not_started']}。")
    if not lines:
        lines.append("本辖区暂无纳入本批次审核的企业。")
    return lines


def _stalled(names: list[str]) -> str:
    return "、".join(names) + f"（共{len(names)}家）" if names else "无"


def chinese_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def render_txt(content: dict) -> str:
    year, month = content["month"].split("-")
    lines = [content["title"], ""]
    if content["addressee"]:
        lines += [f"{content['addressee']}：", ""]
    campaign = content["campaign"]
    lines.append(f"    现将{int(year)}年{int(month)}月{campaign['name']}工作进度报告如下（数据截至{content['as_of']}）：")
    lines += ["", "一、审核进展"] + [f"    {line}" for line in _body(content)]
    lines += ["", "二、各阶段企业数", *table_lines(content["table"])]
    applications = applications_sentence(content.get("applications"))
    if applications:
        lines.append(f"    {applications}。")
    lines += ["", "三、存在的问题", f"    {content['problems'] or '（未填写）'}"]
    lines += ["", "四、本月无进展的企业", f"    {_stalled(content['stalled'])}"]
    if content["remarks"]:
        lines += ["", "五、其他说明", f"    {content['remarks']}"]
    for number, section in enumerate(content["sections"], start=1):
        lines += ["", f"附{number}：{section['unit']}（{section['status']}）"]
        lines += [f"    {line}" for line in _body(section)]
        lines += table_lines(section["table"])
        lines += [f"    存在的问题：{section['problems'] or '（未填写）'}",
                  f"    本月无进展的企业：{_stalled(section['stalled'])}"]
    lines += ["", f"{' ' * 24}{content['unit']}", f"{' ' * 24}{chinese_date(content['date'])}", f"{' ' * 24}{SEAL}"]
    people = [f"经办人：{content['prepared_by']}"] if content["prepared_by"] else []
    if content["version"]:
        people += [f"第{content['version']}版", f"报送人：{content['submitted_by']}"]
    if people:
        lines += ["", "（" + "，".join(people) + "）"]
    return "\n".join(lines) + "\n"

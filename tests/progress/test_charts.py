"""The server-rendered SVG charts: well-formed, escaped, no inline style (the CSP forbids it)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.utils.safestring import SafeString

from cpaudit.progress import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script>&"\''


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything not well-formed (an unescaped < or &)


def _assert_clean(svg: str) -> None:
    assert isinstance(svg, SafeString)
    assert "<script" not in svg and "style=" not in svg and "<style" not in svg
    assert "&lt;script&gt;" in svg


def test_stage_chart_escapes_labels_and_links():
    bars = [charts.Bar("未开始", 3, "/list/?stage=0", muted=True), charts.Bar(EVIL, 7, '/list/?a=1&b="2"')]
    svg = charts.stage_bar_chart(bars, title=EVIL)
    _assert_clean(svg)
    root = _parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert EVIL in texts and "7" in texts and "3" in texts
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["/list/?stage=0", '/list/?a=1&b="2"']
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[1] > widths[0] > 0  # proportional to the values
    assert root.get("role") == "img"


def test_stage_chart_with_nothing():
    svg = charts.stage_bar_chart([charts.Bar("未开始", 0)], title="空")
    root = _parse(svg)
    assert [float(r.get("width")) for r in root.iter(f"{SVG}rect")] == [0.0]


def test_benefit_chart_scales_each_benefit_to_its_expected_value():
    bars = [
        charts.BenefitBar("节能（吨标准煤/年）", Decimal("200"), Decimal("150")),
        charts.BenefitBar("节电（千瓦时/年）", Decimal("1000000"), Decimal("1250000")),
        charts.BenefitBar(EVIL, Decimal("2"), Decimal("9"), "/o/?benefit=x&status=implemented", flagged=True),
        charts.BenefitBar("削减氨氮（吨/年）", None, None),
    ]
    svg = charts.benefit_chart(bars, title="效益")
    _assert_clean(svg)
    root = _parse(svg)
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "预期 200" in text and "实际 150（75%）" in text
    assert "预期 1,000,000" in text and "实际 1,250,000（125%）" in text
    assert "实际 9（450%）（已截断）" in text  # above the 300 % cap: cut and marked
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert any(t.startswith("节能（吨标准煤/年）：预期 200，实际 150") for t in titles)
    assert any("超过异常倍数" in t for t in titles)
    rects = {(r.get("y"), r.get("fill")): float(r.get("width")) for r in root.iter(f"{SVG}rect")}
    widths = [w for (_, fill), w in rects.items() if fill in (charts.BLUE, charts.RED)]
    assert charts.RED in {fill for _, fill in rects}  # the flagged benefit is drawn red
    assert max(widths) <= 300 + 0.1


def test_fmt_number():
    assert charts.fmt_number(Decimal("1234.5000")) == "1,234.5"
    assert charts.fmt_number(Decimal("0")) == "0"
    assert charts.fmt_number(Decimal("12.345")) == "12.35"
    assert charts.fmt_number(None) == "—"
    assert charts.fmt_number(7) == "7"

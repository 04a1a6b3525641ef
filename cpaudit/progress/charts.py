"""Server-rendered SVG charts for the progress dashboard: no script, no external service.

The Content Security Policy forbids inline styles, so the charts use SVG presentation attributes
(fill, font-size, text-anchor) only, never a style attribute or a <style> element. Every piece of
text goes through format_html (escaped); the result is a SafeString built only by format_html /
format_html_join. Bars link to the list behind them when given an href.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BLUE = "#1f4e79"
LIGHT = "#9fb7d0"
GREY = "#9aa5b1"
RED = "#b3261e"
TEXT = "#1d2733"
LINE = "#d6dde6"
FONT = "sans-serif"


def fmt_number(value) -> str:
    """1234.5000 → "1,234.5"; None → "—". At most two decimals, thousands separated."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((p,) for p in parts))


def _link(href: str | None, content: SafeString) -> SafeString:
    return format_html('<a href="{}">{}</a>', href, content) if href else content


def _svg(width: int, height: int, label: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{label}" font-family="{font}" '
        'font-size="12" fill="{text}"><title>{label}</title>{body}</svg>',
        w=width, h=height, label=label, font=FONT, text=TEXT, body=body,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str | None = None
    muted: bool = False  # drawn grey (e.g. 未开始)


def stage_bar_chart(bars: list[Bar], *, title: str, unit: str = "家") -> SafeString:
    """Horizontal bars, one per item (e.g. enterprises per reached stage), value printed at the end."""
    label_w, bar_w, row_h, top = 150, 380, 26, 8
    width, height = label_w + bar_w + 70, top * 2 + row_h * max(len(bars), 1)
    peak = max((b.value for b in bars), default=0) or 1
    rows = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        length = round(bar_w * bar.value / peak, 1)
        tooltip = f"{bar.label}：{bar.value}{unit}"
        rows.append(_link(bar.href, format_html(
            '<g><title>{tooltip}</title>'
            '<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
            '<rect x="{bx}" y="{by}" width="{length}" height="{bh}" fill="{fill}"></rect>'
            '<text x="{vx}" y="{ty}">{value}</text></g>',
            tooltip=tooltip, lx=label_w - 8, ty=y + row_h / 2 + 4, label=bar.label, bx=label_w, by=y + 4,
            length=length, bh=row_h - 8, fill=GREY if bar.muted else BLUE, vx=label_w + length + 6,
            value=bar.value,
        )))
    axis = format_html('<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{line}"></line>',
                       x=label_w, y1=top, y2=height - top, line=LINE)
    return _svg(width, height, title, _join([axis, *rows]))


@dataclass(frozen=True)
class BenefitBar:
    label: str  # with its unit, e.g. "节能（吨标准煤/年）"
    expected: Decimal | None
    achieved: Decimal | None
    href: str | None = None
    flagged: bool = False  # achieved above the campaign's factor × expected

    @property
    def percent(self) -> float | None:
        """Achieved as a percentage of expected; None when nothing was expected."""
        if not self.expected:
            return None
        return float((self.achieved or 0) / self.expected * 100)


def benefit_chart(bars: list[BenefitBar], *, title: str, cap: float = 300.0) -> SafeString:
    """Expected vs achieved per benefit. Units differ, so each benefit is scaled on its own: the
    expected figure is 100 %, the achieved one a percentage of it (bars longer than `cap` % are cut
    and marked). Raw figures with units are in the labels and the <title> tooltips."""
    label_w, bar_w, group_h, bar_h, top = 190, 300, 44, 14, 22
    width = label_w + bar_w + 230
    height = top + group_h * max(len(bars), 1) + 8
    peak = min(max([100.0, *[b.percent or 0 for b in bars]]), cap)
    scale = bar_w / peak
    parts = [format_html(
        '<g><rect x="{x}" y="4" width="12" height="10" fill="{light}"></rect><text x="{tx}" y="13">预期</text>'
        '<rect x="{x2}" y="4" width="12" height="10" fill="{blue}"></rect><text x="{tx2}" y="13">实际（占预期%）</text>'
        '<line x1="{hx}" y1="{top}" x2="{hx}" y2="{bottom}" stroke="{line}" stroke-dasharray="3 3"></line>'
        '<text x="{hx}" y="{bottom_t}" text-anchor="middle" font-size="10">100%</text></g>',
        x=label_w, tx=label_w + 16, x2=label_w + 60, tx2=label_w + 76, light=LIGHT, blue=BLUE,
        hx=label_w + round(100 * scale, 1), top=top, bottom=height - 10, bottom_t=height - 1, line=LINE,
    )]
    for i, bar in enumerate(bars):
        y = top + i * group_h
        percent = bar.percent
        expected_len = round(100 * scale, 1) if bar.expected else 0
        if percent is None:  # nothing expected: draw any achieved figure as a full-length bar
            achieved_len = round(bar_w, 1) if bar.achieved else 0
            percent_text = "无预期值" if bar.achieved else "—"
        else:
            achieved_len = round(min(percent, cap) * scale, 1)
            percent_text = f"{percent:.0f}%"
        cut = percent is not None and percent > cap
        tooltip = (f"{bar.label}：预期 {fmt_number(bar.expected)}，实际 {fmt_number(bar.achieved)}"
                   f"（{percent_text}）" + ("，超过异常倍数" if bar.flagged else ""))
        parts.append(_link(bar.href, format_html(
            '<g><title>{tooltip}</title>'
            '<text x="{lx}" y="{ly}" text-anchor="end">{label}</text>'
            '<rect x="{bx}" y="{ey}" width="{elen}" height="{bh}" fill="{light}"></rect>'
            '<text x="{etx}" y="{ety}" font-size="11">预期 {expected}</text>'
            '<rect x="{bx}" y="{ay}" width="{alen}" height="{bh}" fill="{afill}"></rect>'
            '<text x="{atx}" y="{aty}" font-size="11">实际 {achieved}（{percent}）{mark}</text></g>',
            tooltip=tooltip, lx=label_w - 8, ly=y + bar_h + 4, label=bar.label, bx=label_w, bh=bar_h,
            ey=y, elen=expected_len, light=LIGHT, etx=label_w + expected_len + 6, ety=y + bar_h - 3,
            expected=fmt_number(bar.expected),
            ay=y + bar_h + 2, alen=achieved_len, afill=RED if bar.flagged else BLUE,
            atx=label_w + achieved_len + 6, aty=y + 2 * bar_h - 1, achieved=fmt_number(bar.achieved),
            percent=percent_text, mark="（已截断）" if cut else "",
        )))
    return _svg(width, height, title, _join(parts))

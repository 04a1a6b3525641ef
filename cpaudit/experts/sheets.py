"""Score sheets: the default ones (campaign empty; examples, migration 0005) and a campaign's own per kind
(评估/验收), kept by the province. A sheet names the published text its items are taken from (`source`);
each item may name the audit stages it judges, and a 评估 item may only judge stages 1–5, a 验收 item
stages 6–7 (models.SHEET_STAGES). Log code: experts.scoresheet.saved."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from cpaudit.core.errors import InvalidState
from cpaudit.core.log import diff, log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access

from .models import SHEET_SCOPE, SHEET_STAGES, Score, ScoreItem, ScoreSheet

register("experts.scoresheet.saved", "保存评分表")

ONE_DECIMAL = Decimal("0.1")


# --- score sheets ----------------------------------------------------------------------------------

def scoresheet_for(campaign, kind: str) -> ScoreSheet:
    """The campaign's own sheet for this kind, else the default one."""
    pk = getattr(campaign, "pk", None)
    query = Q(campaign__isnull=True) | Q(campaign_id=pk) if pk else Q(campaign__isnull=True)
    sheets = {s.campaign_id: s for s in ScoreSheet.objects.filter(query, kind=kind)}
    sheet = sheets.get(pk) or sheets.get(None)
    if sheet is None:
        raise InvalidState("没有可用的评分表，请先由省厅维护评分表", code="no_sheet")
    return sheet


def decimal_or_error(value, field: str, errors: dict) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append("请填写数字")
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append("请填写数字")
        return None
    if number != number.quantize(ONE_DECIMAL):
        errors.setdefault(field, []).append("分值最多保留一位小数")
    return number


def _sheet_content(sheet) -> dict:
    return {"name": sheet.name, "pass_mark": sheet.pass_mark, "source": sheet.source, "items": [
        [i.text, i.max_points, i.is_veto, i.stages] for i in sheet.items.all().order_by("order")]}


def _stages(value, kind: str, n: int, errors: dict) -> list[int]:
    """The item's stages, each one a stage the kind of review may judge."""
    try:
        stages = sorted({int(x) for x in value or []})
    except (TypeError, ValueError):
        errors.setdefault("items", []).append(f"第{n}项：审核阶段应为1至7的数字")
        return []
    outside = [x for x in stages if x not in SHEET_STAGES[kind]]
    if outside:
        label = "评估" if kind == "evaluation" else "验收"
        errors.setdefault("items", []).append(
            f"第{n}项：{label}评分表只评价{SHEET_SCOPE[kind]}，不能评价第{'、'.join(map(str, outside))}阶段")
    return stages


@transaction.atomic
def scoresheet_save(*, actor, campaign, kind: str, name: str, pass_mark, items: list[dict],
                    source: str | None = None) -> ScoreSheet:
    """Set the campaign's own sheet for `kind`: items [{text, max_points, is_veto, stages}] in order
    (stages optional), `source` the published text they come from (None keeps the sheet's). Refused
    once a member scored on the sheet (the scores would no longer match their items)."""
    from cpaudit.campaigns.models import Campaign

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    access.check(actor, "experts.scoresheet.change", campaign)
    if kind not in ("evaluation", "acceptance"):
        raise ValidationError({"kind": "类型须为评估或验收"})
    errors: dict = {}
    rows = []
    for n, item in enumerate(items, start=1):
        text = (item.get("text") or "").strip()
        is_veto = bool(item.get("is_veto"))
        points = Decimal(0) if is_veto else decimal_or_error(item.get("max_points", ""), "items", errors)
        if not text:
            errors.setdefault("items", []).append(f"第{n}项：请填写评分项内容")
        elif len(text) > 300:
            errors.setdefault("items", []).append(f"第{n}项：评分项不超过300字")
        if points is not None and not is_veto and points <= 0:
            errors.setdefault("items", []).append(f"第{n}项：非否决项的分值须大于0")
        rows.append(ScoreItem(order=n, text=text, max_points=points or 0, is_veto=is_veto,
                              stages=_stages(item.get("stages"), kind, n, errors)))
    scored = [r for r in rows if not r.is_veto]
    if not scored:
        errors.setdefault("items", []).append("评分表至少要有一个计分项")
    total = sum((r.max_points for r in scored), Decimal(0))
    mark = decimal_or_error(pass_mark, "pass_mark", errors)
    if mark is not None and (mark < 0 or mark > total):
        errors.setdefault("pass_mark", []).append(f"合格分数线须在0至总分{total}之间")
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append("请填写评分表名称")
    if errors:
        raise ValidationError(errors)
    sheet = ScoreSheet.objects.select_for_update().filter(kind=kind, campaign=campaign).first()
    before = _sheet_content(sheet) if sheet else {}
    if sheet is not None and Score.objects.filter(member__panel__sheet=sheet).exists():
        raise InvalidState("已有专家按此评分表评分，不能再修改", code="sheet_in_use")
    if source is not None and len(source.strip()) > 300:
        raise ValidationError({"source": "出处不超过300字"})
    if sheet is None:
        sheet = ScoreSheet.objects.create(kind=kind, campaign=campaign, name=name, pass_mark=mark,
                                          source=(source or "").strip())
    else:
        sheet.name, sheet.pass_mark = name, mark
        if source is not None:
            sheet.source = source.strip()
        sheet.save()
        sheet.items.all().delete()
    for row in rows:
        row.sheet = sheet
    ScoreItem.objects.bulk_create(rows)
    log_action(actor=actor, action="experts.scoresheet.saved", obj=sheet,
               changes=diff(before, _sheet_content(sheet)), data={"campaign": campaign.slug, "kind": kind})
    return sheet

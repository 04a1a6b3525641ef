"""Chinese labels of the spot checks' action-log codes (see core/logdisplay.py)."""

from cpaudit.core.logdisplay import register


def _reason(entry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    return data.get("reason") or ""


def _digests(entry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    return f"名单SM3：{(data.get('digests') or {}).get('pool', '')}"


def _seed(entry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    return f"随机种子：{data.get('seed', '')}；抽取企业{len(data.get('result') or [])}家"


register("spotchecks.inspector.flagged", "设为检查人员")
register("spotchecks.inspector.unflagged", "取消检查人员身份")
register("spotchecks.plan.created", "制定抽查方案", detail=_reason)
register("spotchecks.plan.updated", "修改抽查方案")
register("spotchecks.plan.pool_fixed", "固定抽查名单并记录摘要", detail=_digests)
register("spotchecks.plan.drawn", "抽取检查对象和检查人员", detail=_seed)
register("spotchecks.plan.superseded", "抽查方案被新方案取代", detail=_reason)
register("spotchecks.plan.approved", "审定抽查结果")
register("spotchecks.item.recorded", "录入抽查检查结果")
register("spotchecks.item.file_uploaded", "上传检查佐证材料")
register("spotchecks.rectification.opened", "下达整改任务")
register("spotchecks.rectification.reported", "企业报告整改情况")
register("spotchecks.rectification.closed", "整改任务销号")

"""Chinese labels of the workbench's action-log codes."""

from cpaudit.core.logdisplay import register


def _reminder(entry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    return f"{data.get('month', '')}月报，通知{data.get('notified', 0)}人"


register("workbench.reminder.sent", "向逾期分局催报", detail=_reminder)
register("core.log.verified", "校验操作日志链",
         detail=lambda e: ("完整" if (e.data or {}).get("ok") else f"未通过：{(e.data or {}).get('problem', '')}")
         + f"（{(e.data or {}).get('checked', 0)}条）")

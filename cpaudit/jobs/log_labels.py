"""Chinese labels of the jobs app's action-log codes: jobs taken back from a worker that stopped, and
the incidents an operator must see."""

from cpaudit.core.logdisplay import register


def _incident(entry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    if entry.action == "jobs.incident.resolved":
        return f"共 {data.get('count', 1)} 次；{data.get('resolution', '')}"
    return data.get("message", "")


def _job(entry) -> str:
    data = entry.data if isinstance(entry.data, dict) else {}
    return f"{data.get('reason', '')}（已执行 {data.get('attempts', '?')} 次）"


register("jobs.job.requeued", "后台任务中断，已自动重新排队", detail=_job)
register("jobs.job.interrupted", "后台任务中断，判定失败", detail=_job)
register("jobs.incident.opened", "运行故障", detail=_incident)
register("jobs.incident.resolved", "运行故障已处理", detail=_incident)

"""Checkpoints of the log's head, kept outside the database.

A hash chain cannot see its own tail cut off; a checkpoint file can. One JSON object a line:
{"seq": N, "digest": "...", "time": "...", "reason": "..."}. Written at least daily (the worker)
and whenever a document is issued.
"""

import json
from pathlib import Path

from django.conf import settings

from . import clock
from .models import ActionLog, LogHead

CHECKPOINT_FILE = "log-checkpoints.jsonl"


def default_checkpoint_path() -> Path:
    return Path(settings.CPAUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def write_checkpoint(*, reason: str, path: Path | None = None) -> dict:
    path = path or default_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    head = LogHead.objects.filter(pk=1).first()
    point = {
        "seq": head.seq if head else 0,
        "digest": head.digest if head else "",
        "time": clock.server_now().isoformat(),
        "reason": reason,
    }
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(point, ensure_ascii=False) + "\n")
    return point


def read_checkpoints(path: Path) -> list[dict]:
    points = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            point = json.loads(line)
            points.append({"line": number, "seq": int(point["seq"]), "digest": str(point["digest"])})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"检查点文件第 {number} 行无法解析：{exc}") from exc
    return points


def check_against_checkpoints(path: Path) -> list[str]:
    """Problems found: a checkpointed entry missing (tail cut) or different (rewritten)."""
    problems = []
    points = read_checkpoints(path)
    if not points:
        return problems
    wanted = {p["seq"] for p in points if p["seq"] > 0}
    digests = dict(ActionLog.objects.filter(seq__in=wanted).values_list("seq", "digest"))
    for point in points:
        if point["seq"] == 0:
            continue
        actual = digests.get(point["seq"])
        if actual is None:
            problems.append(f"检查点（文件第 {point['line']} 行）记录的第 {point['seq']} 条日志已不存在："
                            "日志尾部被截断")
        elif actual != point["digest"]:
            problems.append(f"检查点（文件第 {point['line']} 行）记录的第 {point['seq']} 条日志摘要不符："
                            "日志被改写")
    return problems

"""Checkpoints of the log's head, kept outside the database, signed with the platform's SM2 key.

A hash chain cannot see its own tail cut off, nor a rewrite that recomputes every later digest; a
checkpoint file can, as long as the file cannot be rewritten along with it. One JSON object a line:
{"seq": N, "digest": "...", "time": "...", "reason": "...", "key": "<fingerprint>", "signature": "<hex>"},
the signature (SM2, the platform key of cpaudit.documents.keys) taken over the canonical JSON of every
other field of the line. The private key is wrapped under a key-encryption key that is not in the
database, so someone with database access cannot forge a line that matches a rewritten chain.

Written at least daily (the worker), after every issued document (core.aftercommit's
`checkpoint_after_commit`: a failure is recorded and retried, never raised) and by `cpaudit
checkpoint-log`. Lines written before the platform had a key carry no signature: such a line is
accepted only ahead of the first signed line and only when a signed line at the same or a later seq
vouches for it (a digest at seq N covers the whole chain up to N); any other unsigned line, and any
line whose signature does not verify, is reported as possibly forged.
"""

import datetime as dt
import json
import logging
from pathlib import Path

from django.conf import settings
from django.dispatch import Signal

from . import clock
from .chain import canonical_json
from .models import ActionLog, LogHead

CHECKPOINT_FILE = "log-checkpoints.jsonl"
log = logging.getLogger(__name__)
# Sent after a line was written to the default file, with `point` (cpaudit.documents marks the issued
# documents it covers).
checkpoint_written = Signal()


def default_checkpoint_path() -> Path:
    return Path(settings.CPAUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def signed_part(point: dict) -> bytes:
    return canonical_json({k: v for k, v in point.items() if k != "signature"})


def write_checkpoint(*, reason: str, path: Path | None = None) -> dict:
    from cpaudit.documents.keys import active_key, sign_with  # the seals live above core; the key is theirs

    default = path is None
    path = path or default_checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    head = LogHead.objects.filter(pk=1).first()
    point = {
        "seq": head.seq if head else 0,
        "digest": head.digest if head else "",
        "time": clock.server_now().isoformat(),
        "reason": reason,
    }
    key = active_key(platform=True)
    if key is None:
        log.warning("no platform seal key: checkpoint at seq %s written unsigned", point["seq"])
    else:
        point["key"] = key.fingerprint
        point["signature"] = sign_with(key, signed_part(point))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(point, ensure_ascii=False) + "\n")
    if default:
        checkpoint_written.send(sender=None, point=point)
    return point


def read_checkpoints(path: Path) -> list[dict]:
    points = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            point = {"line": number, "seq": int(raw["seq"]), "digest": str(raw["digest"]), "raw": raw}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"检查点文件第 {number} 行无法解析：{exc}") from exc
        points.append(point)
    return points


def _time(raw: dict):
    try:
        return dt.datetime.fromisoformat(str(raw.get("time")))
    except ValueError:
        return None


def signature_problems(points: list[dict]) -> list[str]:
    from cpaudit.documents.keys import platform_check

    problems = []
    first_signed = next((i for i, p in enumerate(points) if "signature" in p["raw"]), len(points))
    signed_seqs = [p["seq"] for p in points if "signature" in p["raw"]]
    latest_signed = max(signed_seqs, default=-1)
    for index, point in enumerate(points):
        raw, where = point["raw"], f"检查点（文件第 {point['line']} 行）"
        if "signature" not in raw:
            if index < first_signed and point["seq"] <= latest_signed:
                continue  # written before the platform had a key, vouched for by a later signed line
            problems.append(f"{where}没有签名：该行可能被伪造")
            continue
        why = platform_check(str(raw.get("key", "")), signed_part(raw), str(raw["signature"]), _time(raw))
        if why:
            problems.append(f"{where}签名未通过校验（{why}）：该行可能被伪造")
    return problems


def check_against_checkpoints(path: Path) -> list[str]:
    """Problems found: a line not signed by the platform, a checkpointed entry missing (tail cut) or
    different (rewritten)."""
    points = read_checkpoints(path)
    if not points:
        return []
    problems = signature_problems(points)
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

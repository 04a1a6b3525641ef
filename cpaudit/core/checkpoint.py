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

A restore (`cpaudit restore`, core/restore.py) appends a line with a `restore` field, {"seq": N,
"digest": D, "backup": <SM3 of the backup's manifest>, "backup_time": ...}: the chain legitimately
continues from the backup's head N. Lines above it at a seq beyond N belong to the history the restore
discarded (written by the old installation after the backup) and are not held against the log; every
other line still is. Only a restore line with a valid platform signature counts, and its time must not
be earlier than any line above it nor later than any line below it (a moved line is reported).
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


def write_checkpoint(*, reason: str, path: Path | None = None, restore: dict | None = None) -> dict:
    """Append the head; `restore` (cpaudit restore only) marks the line as the record of a restore."""
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
    if restore is not None:
        point["restore"] = restore
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


def _signature_problem(point: dict, index: int, first_signed: int, latest_signed: int) -> str:
    from cpaudit.documents.keys import platform_check

    raw, where = point["raw"], f"检查点（文件第 {point['line']} 行）"
    if "signature" not in raw:
        if index < first_signed and point["seq"] <= latest_signed:
            return ""  # written before the platform had a key, vouched for by a later signed line
        return f"{where}没有签名：该行可能被伪造"
    why = platform_check(str(raw.get("key", "")), signed_part(raw), str(raw["signature"]), _time(raw))
    return f"{where}签名未通过校验（{why}）：该行可能被伪造" if why else ""


def _line_problems(points: list[dict]) -> list[str]:
    """One entry per line: '' for a line whose signature is fine, else the problem."""
    first_signed = next((i for i, p in enumerate(points) if "signature" in p["raw"]), len(points))
    latest_signed = max((p["seq"] for p in points if "signature" in p["raw"]), default=-1)
    return [_signature_problem(point, index, first_signed, latest_signed) for index, point in enumerate(points)]


def signature_problems(points: list[dict]) -> list[str]:
    return [problem for problem in _line_problems(points) if problem]


def _restores(points: list[dict], line_problems: list[str]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """The signed restore lines as (index, restored seq, restored digest), and the problems of their
    place in the file (a restore line moved above or below lines of another time)."""
    restores, problems = [], []
    for index, point in enumerate(points):
        restore = point["raw"].get("restore")
        if restore is None or "signature" not in point["raw"] or line_problems[index]:
            continue
        where = f"检查点（文件第 {point['line']} 行，恢复记录）"
        try:
            seq, digest = int(restore["seq"]), str(restore["digest"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{where}内容不完整：该行可能被伪造")
            continue
        at = _time(point["raw"])
        before = [_time(p["raw"]) for p in points[:index]]
        after = [_time(p["raw"]) for p in points[index + 1:]]
        if at is None or any(t is not None and t > at for t in before) or \
                any(t is not None and t < at for t in after):
            problems.append(f"{where}与前后各行的时间顺序不符：检查点文件的行序可能被调换")
            continue
        restores.append((index, seq, digest))
    return restores, problems


def check_against_checkpoints(path: Path) -> list[str]:
    """Problems found: a line not signed by the platform, a checkpointed entry missing (tail cut) or
    different (rewritten). Lines a signed restore record discarded (module docstring) are not checked
    against the log."""
    points = read_checkpoints(path)
    if not points:
        return []
    line_problems = _line_problems(points)
    problems = [problem for problem in line_problems if problem]
    restores, restore_problems = _restores(points, line_problems)
    problems.extend(restore_problems)
    kept = [p for index, p in enumerate(points)
            if not any(index < at and p["seq"] > seq for at, seq, _ in restores)]
    expected = [(p["line"], p["seq"], p["digest"]) for p in kept]
    expected += [(points[at]["line"], seq, digest) for at, seq, digest in restores]
    wanted = {seq for _, seq, _ in expected if seq > 0}
    digests = dict(ActionLog.objects.filter(seq__in=wanted).values_list("seq", "digest"))
    for line, seq, digest in expected:
        if seq == 0:
            continue
        actual = digests.get(seq)
        if actual is None:
            problems.append(f"检查点（文件第 {line} 行）记录的第 {seq} 条日志已不存在：日志尾部被截断")
        elif actual != digest:
            problems.append(f"检查点（文件第 {line} 行）记录的第 {seq} 条日志摘要不符：日志被改写")
    return problems


def chain_problems():
    """(report, problems) of the chain itself and of the head row against it (verify-log, restore)."""
    from .chain import verify_entries

    report = verify_entries(ActionLog.objects.order_by("seq").iterator(chunk_size=2000))
    if not report.ok:
        return report, [report.problem]
    head = LogHead.objects.filter(pk=1).first()
    if head and (head.seq, head.digest) != (report.head_seq, report.head_digest):
        if head.seq > report.head_seq:
            why = "日志尾部可能被截断"
        elif head.seq < report.head_seq:
            why = "链头之后的日志未经正常写入（可能被伪造追加），或链头被回退"
        else:
            why = "末条日志的摘要与链头记录不符（可能被整体改写）"
        return report, [f"链头记录（第 {head.seq} 条）与日志末条（第 {report.head_seq} 条）不一致：{why}"]
    return report, []

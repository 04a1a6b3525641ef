"""Canonical content and SM3 digests of log entries; verification of the chain."""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64

# GB/T 32905-2016, example 1: SM3("abc"). A library that computes anything else (or has no SM3) must
# not seal a single log entry: every digest would be unverifiable by any other SM3 implementation.
SM3_KNOWN_ANSWER = (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
_self_test: dict[str, str] = {}


class SM3SelfTestFailed(RuntimeError):
    pass


def sm3_hex(data: bytes) -> str:
    h = hashlib.new("sm3")
    h.update(data)
    return h.hexdigest()


def sm3_self_test(*, again: bool = False) -> None:
    """Raise SM3SelfTestFailed unless SM3 gives the standard's answer. Runs once per process (at start-up,
    from the security app's ready()); `again` repeats it."""
    if again:
        _self_test.clear()
    if "result" not in _self_test:
        message, expected = SM3_KNOWN_ANSWER
        try:
            got = sm3_hex(message)
        except ValueError as exc:  # OpenSSL built without SM3
            got = f"不可用（{exc}）"
        _self_test["result"] = "" if got == expected else f"SM3 自检失败：SM3(\"abc\") 应为 {expected}，实际为 {got}"
    if _self_test["result"]:
        raise SM3SelfTestFailed(_self_test["result"])


def canonical_json(content) -> bytes:
    """The bytes a frozen document's digest is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def document_digest(content) -> str:
    """SM3 of a frozen document (a report version, an application form, a batch letter)."""
    return sm3_hex(canonical_json(content))


def jsonable(value):
    """Values as they are stored in `changes` and `data`: no floats, no objects (they don't round-trip)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (decimal.Decimal, float)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def _time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry) -> bytes:
    content = {
        "seq": entry.seq,
        "time": _time_text(entry.time),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "actor_agency": entry.actor_agency,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "data": entry.data,
        "group": str(entry.group),
        "ip": entry.ip,
        "prev": entry.prev_digest,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_digest(entry) -> str:
    sm3_self_test()  # the log refuses to write (and to verify) with a wrong SM3
    return sm3_hex(canonical(entry))


@dataclass
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_digest: str
    problem: str = ""
    first_bad_seq: int | None = None


def verify_entries(entries: Iterable) -> ChainReport:
    """Walk entries in seq order. Any change, deletion, insertion or reordering breaks one of:
    the expected seq, the link to the previous digest, or the entry's own digest."""
    expected_seq, prev, checked = 1, GENESIS, 0
    for entry in entries:
        if entry.seq != expected_seq:
            kind = "缺失（被删除）" if entry.seq > expected_seq else "重复或被插入"
            return ChainReport(False, checked, expected_seq - 1, prev,
                               f"第 {expected_seq} 条日志{kind}：实际读到序号 {entry.seq}", expected_seq)
        if entry.prev_digest != prev:
            return ChainReport(False, checked, expected_seq - 1, prev,
                               f"第 {entry.seq} 条日志与前一条的链接不符（被插入、删除或调换）", entry.seq)
        if entry_digest(entry) != entry.digest:
            return ChainReport(False, checked, expected_seq - 1, prev,
                               f"第 {entry.seq} 条日志内容与其摘要不符（被修改）", entry.seq)
        prev, expected_seq, checked = entry.digest, expected_seq + 1, checked + 1
    return ChainReport(True, checked, expected_seq - 1, prev)

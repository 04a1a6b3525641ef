"""`cpaudit verify-log [--checkpoint FILE]`: recompute the chain; exit 0 when intact.

With --checkpoint, also check each line's signature with the platform's keys (a line with the right
JSON but a missing or wrong signature is reported) and that every checkpointed entry is still there
with the same digest. Exit 1 with one FAIL line per problem; 2 when the check cannot be made (no
file, an unreadable line, no usable key-encryption key to trust the platform keys by).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cpaudit.core.checkpoint import chain_problems, check_against_checkpoints
from cpaudit.core.errors import InvalidState


class Command(BaseCommand):
    help = "校验操作日志链（SM3）；可对照日志外保存、经平台签名的检查点文件发现被截断或改写的日志。"

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", type=Path, help="检查点文件（JSON Lines，含平台签名）")

    def handle(self, *args, **options):
        report, problems = chain_problems()
        checkpoint = options.get("checkpoint")
        if checkpoint:
            if not checkpoint.exists():
                self.stderr.write(f"检查点文件不存在：{checkpoint}")
                sys.exit(2)
            try:
                problems.extend(check_against_checkpoints(checkpoint))
            except ValueError as exc:
                self.stderr.write(str(exc))
                sys.exit(2)
            except InvalidState as exc:  # e.g. no key-encryption key: the signatures cannot be trusted
                self.stderr.write(f"无法校验检查点签名：{exc.message}")
                sys.exit(2)
        if problems:
            for problem in problems:
                self.stdout.write(f"FAIL\t{problem}")
            sys.exit(1)
        self.stdout.write(f"OK\t{report.checked} 条日志完整，链头 #{report.head_seq} {report.head_digest}")

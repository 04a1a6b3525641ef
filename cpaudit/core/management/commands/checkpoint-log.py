"""`cpaudit checkpoint-log [-o FILE]`: append the log head, signed with the platform key, to the
checkpoint file (the worker does it daily; run it by hand after a failure was reported)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cpaudit.core.checkpoint import write_checkpoint
from cpaudit.core.errors import InvalidState


class Command(BaseCommand):
    help = "把操作日志链头（序号与摘要）以平台密钥签名后写入数据库外的检查点文件。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path,
                            help="检查点文件，默认 data/checkpoints/log-checkpoints.jsonl")
        parser.add_argument("--reason", default="manual")

    def handle(self, *args, **options):
        try:
            point = write_checkpoint(reason=options["reason"], path=options.get("output"))
        except InvalidState as exc:
            raise CommandError(f"未写入检查点：{exc.message}") from exc
        except OSError as exc:
            raise CommandError(f"无法写入检查点文件：{exc.strerror or exc}") from exc
        if "signature" not in point:
            self.stderr.write("警告：平台尚无在用的签名密钥，检查点未签名（请用 cpaudit seal-key generate --platform 生成）")
        self.stdout.write(f"{point['seq']}\t{point['digest']}")

"""`cpaudit checkpoint-log [-o FILE]`: append the log head to the checkpoint file (run daily)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cpaudit.core.checkpoint import write_checkpoint


class Command(BaseCommand):
    help = "把操作日志链头（序号与摘要）写入数据库外的检查点文件。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path,
                            help="检查点文件，默认 data/checkpoints/log-checkpoints.jsonl")
        parser.add_argument("--reason", default="manual")

    def handle(self, *args, **options):
        point = write_checkpoint(reason=options["reason"], path=options.get("output"))
        self.stdout.write(f"{point['seq']}\t{point['digest']}")

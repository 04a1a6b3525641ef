"""`cpaudit restore FILE`: a backup into an empty installation (cpaudit.core.restore): needs the same
CPAUDIT_KEY_ENCRYPTION_KEY, verifies, and records the restore as a signed checkpoint line. One summary
line; exit 1 with the reason."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from cpaudit.core.errors import InvalidState
from cpaudit.core.restore import restore_backup


class Command(BaseCommand):
    help = "把 cpaudit backup 的备份恢复到空的数据库与数据目录，校验后以签名检查点记录本次恢复。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="cpaudit backup 生成的备份文件")

    def handle(self, *args, **options):
        try:
            done = restore_backup(options["file"])
        except InvalidState as exc:
            self.stderr.write(f"恢复失败：{exc.message}")
            sys.exit(1)
        except (OSError, DatabaseError) as exc:
            self.stderr.write(f"恢复失败：{getattr(exc, 'strerror', None) or exc}")
            sys.exit(1)
        if not done.signed:
            self.stderr.write("警告：平台没有在用的签名密钥，恢复记录未签名（请生成平台密钥后运行 cpaudit checkpoint-log）")
        self.stdout.write(f"已恢复\t备份 {done.created[:19]}（SM3 {done.manifest_sm3[:16]}…）\t日志链头 #{done.seq}，"
                          f"链与 {done.checkpoint_lines - 1} 行检查点校验通过\t文件 {done.files} 个\t已记录恢复")

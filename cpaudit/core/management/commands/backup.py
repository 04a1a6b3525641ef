"""`cpaudit backup -o FILE`: a consistent online backup of the database, the checkpoints, the stored
files and the job files, with a manifest of SM3 digests (cpaudit.core.backup). One summary line; exit
1 with the reason. The backup is recorded in the action log (core.backup.created) once written."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError, transaction

from cpaudit.core.actors import SystemActor
from cpaudit.core.backup import ENGINE_LABELS, create_backup
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action


class Command(BaseCommand):
    help = "在线备份：数据库（一致快照）、检查点、佐证材料与后台任务文件，附 SM3 清单；不含密钥加密密钥。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path, required=True, help="备份文件（不覆盖已有文件）")

    def handle(self, *args, **options):
        try:
            backup = create_backup(options["output"])
        except InvalidState as exc:
            self.stderr.write(f"备份失败：{exc.message}")
            sys.exit(1)
        except (OSError, DatabaseError) as exc:
            self.stderr.write(f"备份失败：{getattr(exc, 'strerror', None) or exc}")
            sys.exit(1)
        try:
            with transaction.atomic():
                log_action(actor=SystemActor("backup"), action="core.backup.created", object_type="core.backup",
                           object_id=backup.manifest_sm3[:16], object_repr=backup.path.name,
                           data={"backup": backup.manifest_sm3, "seq": backup.seq, "files": backup.files})
        except DatabaseError as exc:  # a read-only standby: the backup itself is fine
            self.stderr.write(f"警告：备份已完成，但未能记入操作日志：{exc}")
        self.stdout.write(f"已备份\t{backup.path}\t{ENGINE_LABELS[backup.engine]}，日志链头 #{backup.seq}\t"
                          f"文件 {backup.files} 个\t{backup.size / 1024 / 1024:.1f} MB\tSM3 {backup.manifest_sm3}")

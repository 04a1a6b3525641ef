"""`cpaudit verify-document FILE`: is FILE an unchanged document issued by the platform?

Exit 0 and one line `有效\t<document>\t<agency>\t<issued at>` (a key revoked after the issue is
noted beside the agency); exit 1 and `无效\t<reason>`; exit 2 (message on stderr) when the check
cannot be made: the file cannot be read, or no usable key-encryption key to trust the seal keys by.
Reads only, so nothing is logged. The file is named "verify-document.py" because Django takes the
command's name from the file's name.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cpaudit.core.errors import InvalidState
from cpaudit.documents.verify import verify_bytes


class Command(BaseCommand):
    help = "核验文件是否为本平台签发且未经修改的文书（电子签章）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="要核验的文件（PDF 或 Word）")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"无法读取文件 {path}：{exc.strerror or exc}")
            sys.exit(2)
        try:
            verdict = verify_bytes(data)
        except InvalidState as exc:
            self.stderr.write(f"无法核验：{exc.message}")
            sys.exit(2)
        self.stdout.write(verdict.line())
        if not verdict.valid:
            sys.exit(1)

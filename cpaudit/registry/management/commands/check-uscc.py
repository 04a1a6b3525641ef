"""`cpaudit check-uscc [CODE ...]`: one line per code, "CODE<TAB>valid" or "CODE<TAB>invalid<TAB>reason".

Codes come from standard input (one a line) when none are given. Exit 0 when all are valid, else 1.
"""

import sys

from django.core.management.base import BaseCommand

from cpaudit.registry.uscc import check


class Command(BaseCommand):
    help = "按GB 32100-2015校验统一社会信用代码。"

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*")

    def handle(self, *args, **options):
        codes = options["codes"] or [line.strip() for line in sys.stdin if line.strip()]
        all_valid = True
        for raw in codes:
            result = check(raw)
            shown = raw.strip()
            if result.valid:
                self.stdout.write(f"{shown}\tvalid")
            else:
                all_valid = False
                self.stdout.write(f"{shown}\tinvalid\t{result.reason}")
        self.stdout.flush()
        sys.exit(0 if all_valid else 1)

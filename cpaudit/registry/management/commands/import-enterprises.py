"""`cpaudit import-enterprises FILE.xlsx [--campaign SLUG] [--dry-run] [--as-user USERNAME]`

Validates every row first; on any error prints each as "第R行 C列（表头）：消息" to stderr (the first CPAUDIT_IMPORT_MAX_ERRORS), then
"文件有 N 处错误，未导入任何数据", and exits 1 without changing anything. On success prints
"新增 N 家，更新 M 家，未变化 K 家" and exits 0. Acts as SystemActor("import-enterprises") unless
--as-user is given, in which case that user's rights and jurisdiction apply.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cpaudit.core.errors import DomainError
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.registry.excel.files import actor_for
from cpaudit.registry.excel.importer import import_enterprises


class Command(BaseCommand):
    help = "从Excel（.xlsx）导入企业名录：先校验全部行，有任何错误则不导入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="按导入模板填写的 .xlsx 文件")
        parser.add_argument("--campaign", metavar="SLUG",
                            help="导入后把文件中的全部企业纳入该审核批次（须进行中）")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告将新增、更新多少家，不写入")
        parser.add_argument("--as-user", metavar="USERNAME", help="以该用户的身份和辖区导入")

    def handle(self, *args, **options):
        token = set_request_context()  # one group for every log entry of this import
        try:
            actor = actor_for(options["as_user"], "import-enterprises")
            result = import_enterprises(actor=actor, path=options["file"], campaign_slug=options["campaign"],
                                        dry_run=options["dry_run"])
        except DomainError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        finally:
            reset_request_context(token)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            shown = f"（以上列出前 {len(result.errors)} 处）" if result.error_count > len(result.errors) else ""
            self.stderr.write(f"文件有 {result.error_count} 处错误，未导入任何数据{shown}")
            sys.exit(1)
        for notice in result.notices:
            self.stdout.write(f"提示：{notice}")
        self.stdout.write(result.summary())
        if options["campaign"]:
            verb = "将纳入" if result.dry_run else "已纳入"
            self.stdout.write(f"{verb}审核批次“{options['campaign']}” {result.enrolled} 家")
        if result.dry_run:
            self.stdout.write("试运行：未写入任何数据")

"""`cpaudit export-enterprises -o FILE.xlsx [--as-user USERNAME]`

Writes every enterprise the actor may see, in the import template's columns (the file re-imports
unchanged). Acts as SystemActor("export-enterprises") — all enterprises — unless --as-user is given.
The file appears only once the export is logged (see cpaudit.registry.excel.exporter).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cpaudit.core.errors import DomainError
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.registry.excel.exporter import export_enterprises
from cpaudit.registry.excel.files import actor_for


class Command(BaseCommand):
    help = "把企业名录导出为Excel（.xlsx），列与导入模板相同。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", type=Path, required=True, help="输出的 .xlsx 文件")
        parser.add_argument("--as-user", metavar="USERNAME", help="以该用户的身份导出（仅其辖区内的企业）")

    def handle(self, *args, **options):
        output: Path = options["output"]
        if output.suffix.lower() != ".xlsx":
            self.stderr.write("输出文件名应以 .xlsx 结尾")
            sys.exit(1)
        token = set_request_context()
        try:
            actor = actor_for(options["as_user"], "export-enterprises")
            count = export_enterprises(actor=actor, path=output)
        except DomainError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        except OSError as exc:
            self.stderr.write(f"无法写入输出文件 {output}：{exc.strerror or exc}")
            sys.exit(1)
        finally:
            reset_request_context(token)
        self.stdout.write(f"已导出 {count} 家企业到 {output}")

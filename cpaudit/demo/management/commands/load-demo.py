"""`cpaudit load-demo`: the demo data set and demo accounts (only where CPAUDIT_DEMO_MODE is True).

Idempotent: a second run creates nothing and prints the same account table.
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.demo.data import PASSWORD
from cpaudit.demo.loader import load_demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "写入演示数据（主管部门、咨询机构、企业、审核批次）和演示账号；仅限演示模式，可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--allow-non-sqlite", action="store_true",
                            help="允许写入非 SQLite 数据库（防止误把演示数据写进生产库）")
        parser.add_argument("--port", type=int, default=None,
                            help="提示中的访问端口（默认：环境变量 PORT 或 8000）")

    def handle(self, *args, **options):
        if not settings.CPAUDIT_DEMO_MODE:
            raise CommandError(
                "未开启演示模式（CPAUDIT_DEMO_MODE=False）：拒绝写入演示数据和演示账号。"
                "请在演示/开发环境（DJANGO_SETTINGS_MODULE=cpaudit.settings.dev）中运行。"
            )
        if connection.vendor != "sqlite" and not options["allow_non_sqlite"]:
            raise CommandError(
                f"当前数据库是 {connection.vendor}（DATABASE_URL 已设置）：为免把演示数据写进生产库，"
                "拒绝执行。确认是演示库时加 --allow-non-sqlite。"
            )
        token = set_request_context()  # every log entry of this load shares one group id
        try:
            result = load_demo()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        finally:
            reset_request_context(token)

        if result.created_anything:
            summary = "、".join(f"{label}{count}" for label, count in result.created.items() if count)
            self.stdout.write(self.style.SUCCESS(f"演示数据已写入：新建{summary}。"))
        else:
            self.stdout.write("演示数据已存在，未作任何修改。")
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))

        headers = ("用户名", "角色", "所属单位/企业", "姓名")
        rows = [(a.username, a.role_label, a.unit, a.note) for a in result.accounts]
        widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
        self.stdout.write("")
        self.stdout.write("演示账号：")
        self.stdout.write("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in rows:
            self.stdout.write("  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write("")
        self.stdout.write(f"密码（所有演示账号）：{PASSWORD}")
        self.stdout.write(f"访问 http://127.0.0.1:{options['port'] or settings.CPAUDIT_PORT}/ 登录")

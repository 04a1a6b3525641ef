"""`cpaudit monthly-report --unit DIVISION_CODE --campaign SLUG --month YYYY-MM --format txt|docx|pdf -o FILE
[--as-user USERNAME]`

Writes a branch's monthly progress report (the unit is a county's division code: its county or
directly administered county agency) or a city's consolidation (a city's code): the submitted
snapshot when one exists, else the live (or, for a past month, reconstructed) draft. Acts as
SystemActor("monthly-report") unless --as-user is given. Errors: a Chinese message, exit status 1.
"""

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand

from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import DomainError
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind
from cpaudit.registry.excel.files import actor_for
from cpaudit.reports.content import parse_month
from cpaudit.reports.models import ReportKind
from cpaudit.reports.render_txt import render_txt
from cpaudit.reports.services import content_for, report_for

FORMATS = ("txt", "docx", "pdf")


class Command(BaseCommand):
    help = "输出分局月度进度报告或市局汇总报告（txt、docx 或 pdf）；已报送的输出报送版本，否则输出草稿。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="区划代码：县级为分局月报，设区市为市局汇总")
        parser.add_argument("--campaign", required=True, help="审核批次标识")
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--format", default="txt", help="txt、docx 或 pdf")
        parser.add_argument("-o", "--output", type=Path, required=True, help="输出文件")
        parser.add_argument("--as-user", metavar="USERNAME", help="以该用户的身份输出（仅其管理范围内的单位）")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, **options):
        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            self.fail(f"不支持的格式“{options['format']}”，应为 txt、docx 或 pdf")
        try:
            month = parse_month(options["month"])
        except ValueError as exc:
            self.fail(str(exc))
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            self.fail(f"审核批次“{options['campaign']}”不存在")
        code = options["unit"]
        agency = Agency.objects.filter(division_id=code, kind__in=BRANCH_AGENCY_KINDS).first()
        kind = ReportKind.BRANCH
        if agency is None:
            agency, kind = Agency.objects.filter(division_id=code, kind=AgencyKind.CITY).first(), ReportKind.CITY
        if agency is None:
            self.fail(f"区划代码“{code}”没有对应的县级生态环境分局或设区市生态环境局")
        token = set_request_context()
        try:
            actor = actor_for(options["as_user"], "monthly-report")
            report = report_for(actor=actor, campaign=campaign, agency=agency, month=month, kind=kind)
            content = content_for(report)
            data = self.render(content, fmt)
        except DomainError as exc:
            self.fail(exc.message)
        except ImproperlyConfigured as exc:  # e.g. no CJK font for the PDF
            self.fail(str(exc))
        finally:
            reset_request_context(token)
        output: Path = options["output"]
        try:
            output.write_bytes(data)
        except OSError as exc:
            self.fail(f"无法写入输出文件 {output}：{exc.strerror or exc}")
        what = f"第{content['version']}版" if content["version"] else "草稿"
        self.stdout.write(f"已输出{content['title']}（{what}）到 {output}")

    def render(self, content: dict, fmt: str) -> bytes:
        if fmt == "txt":
            return render_txt(content).encode("utf-8")
        try:
            from cpaudit.reports import render
        except ImportError:
            self.fail(f"{fmt} 格式的输出模块（cpaudit.reports.render）尚未安装")
        return getattr(render, f"render_{fmt}")(content)

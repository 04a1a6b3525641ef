"""`cpaudit monthly-report (--unit DIVISION_CODE | --agency ID) --campaign SLUG --month YYYY-MM
--format txt|docx|pdf -o FILE [--as-user USERNAME]`

Writes a branch's monthly progress report (a county branch or a 省直管县 agency) or a city's
consolidation (a city-level agency): the submitted snapshot when one exists, else the live (or, for
a past month, reconstructed) draft. A submitted version's PDF and Word are the files issued (sealed) by
its submission, written byte for byte (documents.report_documents). It only reads: no report row is created for a report nobody has
started. The agency is named by its id (--agency, as on the 主管部门 page
and in the report page's address) or by its division code (--unit). Two agencies may share a division
(雄安新区's bureau is bound to 保定市's code): such a code is refused with the candidates listed,
never resolved by guessing. Acts as SystemActor("monthly-report") unless --as-user is given.
Errors: a Chinese message, exit status 1.
"""

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand

from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import DomainError
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.documents.report_documents import MONTHLY, issued_file
from cpaudit.documents.selectors import issued_bytes
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind
from cpaudit.registry.excel.files import actor_for
from cpaudit.reports.content import parse_month
from cpaudit.reports.models import ReportKind
from cpaudit.reports.render_txt import render_txt
from cpaudit.reports.services import SUBMITTED_STATES, content_for, latest_version, report_for

FORMATS = ("txt", "docx", "pdf")


class Command(BaseCommand):
    help = "输出分局月度进度报告或市局汇总报告（txt、docx 或 pdf）；已报送的输出报送版本，否则输出草稿。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="区划代码：县级为分局月报，设区市为市局汇总（与 --agency 二选一）")
        parser.add_argument("--agency", metavar="ID",
                            help="单位编号（主管部门页面所示；与 --unit 二选一，区划代码对应多个单位时用它）")
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
        agency, kind = self.agency(options["unit"], options["agency"])
        token = set_request_context()
        try:
            actor = actor_for(options["as_user"], "monthly-report")
            report = report_for(actor=actor, campaign=campaign, agency=agency, month=month, kind=kind)
            version = latest_version(report) if report.status in SUBMITTED_STATES else None
            content = version.content if version is not None else content_for(report)
            issued = issued_file(MONTHLY, version, fmt)
            data = issued_bytes(issued) if issued is not None else self.render(content, fmt)
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
        if issued is not None:
            self.stdout.write(f"签发文书第{issued.pk}号（核验码 {issued.code}）：报送时签发并加盖电子印章的文件，逐字节原样输出")

    def agency(self, code: str | None, agency_id: str | None) -> tuple[Agency, str]:
        """The reporting agency and the kind of its report, from exactly one of --unit and --agency."""
        if (code is None) == (agency_id is None):
            self.fail("请指定 --unit（区划代码）或 --agency（单位编号）二者之一")
        reporting = Agency.objects.filter(kind__in=[*BRANCH_AGENCY_KINDS, AgencyKind.CITY])
        if agency_id is not None:
            if not agency_id.isdigit():
                self.fail(f"单位编号应为数字，实际为“{agency_id}”")
            agency = Agency.objects.filter(pk=int(agency_id)).first()
            if agency is None:
                self.fail(f"单位编号“{agency_id}”不存在")
            if not reporting.filter(pk=agency.pk).exists():
                self.fail(f"{agency}（{agency.get_kind_display()}）没有月度进度报告："
                          "应为县级生态环境分局、省直管县（市）生态环境局或市级生态环境局")
        else:
            candidates = list(reporting.filter(division_id=code).order_by("pk"))
            if not candidates:
                self.fail(f"区划代码“{code}”没有对应的县级生态环境分局或设区市生态环境局")
            if len(candidates) > 1:
                lines = "\n".join(f"  编号 {a.pk}：{a.name}（{a.get_kind_display()}）" for a in candidates)
                self.fail(f"区划代码“{code}”对应{len(candidates)}个单位，无法确定是哪一个；"
                          f"请改用 --agency 指定单位编号：\n{lines}")
            agency = candidates[0]
        return agency, ReportKind.CITY if agency.kind == AgencyKind.CITY else ReportKind.BRANCH

    def render(self, content: dict, fmt: str) -> bytes:
        if fmt == "txt":
            return render_txt(content).encode("utf-8")
        try:
            from cpaudit.reports import render
        except ImportError:
            self.fail(f"{fmt} 格式的输出模块（cpaudit.reports.render）尚未安装")
        return getattr(render, f"render_{fmt}")(content)

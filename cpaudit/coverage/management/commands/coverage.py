"""`cpaudit coverage [--register FILE.xlsx] --campaign SLUG -o OUT.xlsx [--as-user USERNAME]`

应开展未开展: compares the campaign with an external register (without one, the platform's registry
is the register) and writes the lists to OUT.xlsx (cpaudit.coverage). Exit 0 once the file is
written, whatever it found; 1 with the reason when it could not be (unknown campaign, unreadable
register, no right). Acts as SystemActor("coverage") unless --as-user is given.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock
from cpaudit.core.errors import DomainError
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.coverage import selectors, services
from cpaudit.org import access
from cpaudit.registry.excel.files import actor_for


class Command(BaseCommand):
    help = "应开展未开展：将审核批次与外部名录（或平台企业名录）对照，结果写入Excel（.xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--register", type=Path, help="外部名录 .xlsx（不填则以平台企业名录对照）")
        parser.add_argument("--campaign", required=True, metavar="SLUG", help="审核批次标识")
        parser.add_argument("-o", "--output", type=Path, required=True, help="输出的 .xlsx 文件")
        parser.add_argument("--as-user", metavar="USERNAME", help="以该用户的身份对照（仅其辖区）")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, **options):
        output: Path = options["output"]
        if output.suffix.lower() != ".xlsx":
            self.fail("输出文件名应以 .xlsx 结尾")
        token = set_request_context()
        try:
            actor = actor_for(options["as_user"], "coverage")
            access.check(actor, "coverage.report.view")
            campaign = access.scope(actor, Campaign.objects.prefetch_related(
                "county_links__county", "industries")).filter(slug=options["campaign"]).first()
            if campaign is None:
                self.fail(f"审核批次“{options['campaign']}”不存在")
            rows, name = None, ""
            if options["register"]:
                read = services.read_campaign_register(campaign, options["register"])
                if not read.ok:
                    self.fail("\n".join(f"外部名录无法对照：{e}" for e in read.errors))
                rows, name = read.rows, options["register"].name
            found = selectors.coverage(actor, campaign, today=clock.today(), rows=rows, use_latest_register=False)
            counts = services.coverage_export(actor=actor, coverage=found, path=output, register_name=name)
        except DomainError as exc:
            self.fail(exc.message)
        except OSError as exc:
            self.fail(f"无法写入输出文件 {output}：{exc.strerror or exc}")
        finally:
            reset_request_context(token)
        labels = dict(found.result.SECTIONS)
        self.stdout.write("，".join(f"{labels[k]} {n} 家" for k, n in counts.items()))
        self.stdout.write(f"已写入 {output}")

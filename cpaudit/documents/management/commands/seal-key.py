"""`cpaudit seal-key generate|rotate|revoke|list (--agency DIVISION_CODE | --agency-id ID | --platform)
[--key N] [--reason TEXT] [--as-user USERNAME]`

The security administrator's key actions until the pages of issue 11 exist: generate an owner's first
key (or the next one after a revocation), rotate (the active key is retired and stays able to verify
what it signed), revoke (the active key, or `--key N`, with a reason), list. Acts as
SystemActor("seal-key") unless --as-user names a security administrator; every change is logged. The
private key is never printed: only the public key's SM3 fingerprint. A division code that two agencies
share (雄安's bureau on 保定's code) is refused with the candidates listed: use --agency-id.
"""

import sys

from django.core.management.base import BaseCommand

from cpaudit.core.errors import DomainError
from cpaudit.documents import keys
from cpaudit.documents.models import SealKey
from cpaudit.org.models import Agency
from cpaudit.registry.excel.files import actor_for

ACTIONS = ("generate", "rotate", "revoke", "list")


class Command(BaseCommand):
    help = "电子印章密钥：生成、轮换、撤销、列出（单位或平台）。私钥以 SM4 加密保存，从不显示。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=ACTIONS, help="generate 生成 | rotate 轮换 | revoke 撤销 | list 列出")
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--agency", metavar="DIVISION_CODE", help="单位的区划代码")
        owner.add_argument("--agency-id", metavar="ID", help="单位编号（区划代码对应多个单位时使用）")
        owner.add_argument("--platform", action="store_true", help="平台密钥（为操作日志检查点签名）")
        parser.add_argument("--key", type=int, metavar="N", help="撤销第 N 号密钥（默认在用的密钥）")
        parser.add_argument("--reason", default="", help="撤销原因（撤销时必填）")
        parser.add_argument("--as-user", metavar="USERNAME", help="以该安全管理员的身份操作")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, **options):
        agency = None if options["platform"] else self.agency(options["agency"], options["agency_id"])
        platform = agency is None
        action = options["action"]
        if action == "list":
            self.list(agency)
            return
        try:
            actor = actor_for(options["as_user"], "seal-key")
            if action == "generate":
                key = keys.seal_key_generate(actor=actor, agency=agency, platform=platform)
                self.stdout.write(f"已生成\t{key.owner_name}\t印章密钥 #{key.number}\t{key.fingerprint}")
            elif action == "rotate":
                key = keys.seal_key_rotate(actor=actor, agency=agency, platform=platform)
                self.stdout.write(f"已轮换\t{key.owner_name}\t印章密钥 #{key.number}（#{key.number - 1} 起停用，"
                                  f"其签章仍可核验）\t{key.fingerprint}")
            else:
                key = self.key_to_revoke(agency, options["key"])
                key = keys.seal_key_revoke(actor=actor, key=key, reason=options["reason"])
                self.stdout.write(f"已撤销\t{key.owner_name}\t印章密钥 #{key.number}\t{key.fingerprint}")
        except DomainError as exc:
            self.fail(exc.message)

    def list(self, agency):
        rows = SealKey.objects.filter(agency=agency).order_by("number")
        owner = keys.owner_label(agency)
        if not rows:
            self.stdout.write(f"{owner}尚无印章密钥")
        for key in rows:
            when = keys.clock_text(key.revoked_at or key.retired_at or key.created_at)
            self.stdout.write(f"#{key.number}\t{key.get_state_display()}\t{when}\t{key.fingerprint}")

    def key_to_revoke(self, agency, number):
        qs = SealKey.objects.filter(agency=agency)
        owner = keys.owner_label(agency)
        key = qs.filter(number=number).first() if number else keys.active_key(agency, platform=agency is None)
        if key is None:
            self.fail(f"{owner}没有第 {number} 号印章密钥" if number else f"{owner}没有在用的印章密钥；"
                      "撤销已轮换的密钥请用 --key 指定序号")
        return key

    def agency(self, code, agency_id) -> Agency:
        if agency_id is not None:
            if not str(agency_id).isdigit():
                self.fail(f"单位编号应为数字，实际为“{agency_id}”")
            agency = Agency.objects.filter(pk=int(agency_id)).first()
            if agency is None:
                self.fail(f"单位编号“{agency_id}”不存在")
            return agency
        candidates = list(Agency.objects.filter(division_id=code).order_by("pk"))
        if not candidates:
            self.fail(f"区划代码“{code}”没有对应的单位")
        if len(candidates) > 1:
            lines = "\n".join(f"  编号 {a.pk}：{a.name}（{a.get_kind_display()}）" for a in candidates)
            self.fail(f"区划代码“{code}”对应{len(candidates)}个单位，无法确定是哪一个；"
                      f"请改用 --agency-id 指定单位编号：\n{lines}")
        return candidates[0]

"""`cpaudit create-user USERNAME --role ROLE --full-name NAME [--agency DIVISION_CODE | --agency-id ID]
[--enterprise USCC] [--consulting-agency ID] [--phone PHONE] [--inspector] [--invite] [--as-user NAME]`

Opens an account and prints its one-time initial password (or, with --invite, an activation code),
shown this once. Acts as SystemActor("create-user") unless --as-user: only from the shell are the
three administrator accounts opened (docs/OPERATIONS.md, the first accounts). Refusals: a Chinese
reason on stderr, exit status 1.
"""

from cpaudit.org.cli import AccountCommand, role_codes, unit_of
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.org.services import account_create
from cpaudit.registry.models import ConsultingAgency, Enterprise


class Command(AccountCommand):
    help = "开设账号，输出一次性初始密码（首次登录须修改）或激活码。"
    system_name = "create-user"

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--role", required=True, help="角色代码，见下方列表")
        parser.add_argument("--full-name", required=True, help="姓名")
        parser.add_argument("--agency", metavar="DIVISION_CODE", help="所属单位的区划代码（政府工作人员）")
        parser.add_argument("--agency-id", metavar="ID", help="所属单位编号（主管部门页面所示；区划代码对应多个单位时用它）")
        parser.add_argument("--enterprise", metavar="USCC", help="所属企业的统一社会信用代码（企业用户）")
        parser.add_argument("--consulting-agency", metavar="ID", help="所属咨询机构编号（咨询机构用户）")
        parser.add_argument("--phone", default="", help="手机")
        parser.add_argument("--inspector", action="store_true", help="标记为检查人员（政府工作人员）")
        parser.add_argument("--invite", action="store_true", help="不生成初始密码，输出激活码，由本人在激活页面设置密码")
        super().add_arguments(parser)

    def act(self, actor, options):
        role = options["role"]
        if role not in Role.values:
            self.fail(f"没有角色“{role}”；可用的角色代码：{role_codes()}")
        user = User(username=options["username"], full_name=options["full_name"].strip(), role=role,
                    phone=options["phone"], is_inspector=options["inspector"],
                    agency=self.agency(role, options["agency"], options["agency_id"]),
                    enterprise=self.enterprise(options["enterprise"]),
                    consulting_agency=self.consulting(options["consulting_agency"]))
        user, secret = account_create(actor=actor, user=user, invite=options["invite"])
        self.stdout.write(f"已开设账号 {user.username}（{user.get_role_display()}{unit_of(user)}）")
        if options["invite"]:
            self.stdout.write(f"激活码：{secret}")
            self.stdout.write("请本人在账号激活页面（/org/activate/）输入用户名和激活码并设置密码；激活码只显示这一次。")
        else:
            self.stdout.write(f"一次性初始密码：{secret}")
            self.stdout.write("首次登录后须立即修改密码；此密码只显示这一次。")

    def enterprise(self, uscc):
        if uscc is None:
            return None
        enterprise = Enterprise.objects.filter(uscc=uscc.strip().upper()).first()
        if enterprise is None:
            self.fail(f"没有统一社会信用代码为“{uscc}”的企业")
        return enterprise

    def consulting(self, pk):
        if pk is None:
            return None
        agency = ConsultingAgency.objects.filter(pk=int(pk)).first() if pk.isascii() and pk.isdigit() else None
        if agency is None:
            self.fail(f"咨询机构编号“{pk}”不存在")
        return agency

"""`cpaudit set-role USERNAME ROLE [--as-user NAME]`: the security administrator's role assignment from
the shell (SystemActor("set-role") unless --as-user). Refusals: a Chinese reason, exit status 1."""

from cpaudit.org.cli import AccountCommand, role_codes
from cpaudit.org.roles import Role
from cpaudit.org.services import role_set


class Command(AccountCommand):
    help = "为账号分配角色（安全管理员的职责）。"
    system_name = "set-role"

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("role", metavar="ROLE", help="角色代码，见下方列表")
        super().add_arguments(parser)

    def act(self, actor, options):
        if options["role"] not in Role.values:
            self.fail(f"没有角色“{options['role']}”；可用的角色代码：{role_codes()}")
        user = self.account(options["username"])
        before = user.get_role_display() or "（未分配）"
        user = role_set(actor=actor, user=user, role=options["role"])
        self.stdout.write(f"已将账号 {user.username} 的角色由{before}改为{user.get_role_display()}")

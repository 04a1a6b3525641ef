"""`cpaudit reset-password USERNAME [--as-user NAME]`: a new one-time password (printed once) and the
account's sessions ended, as the security administrator's reset (SystemActor("reset-password")
unless --as-user; how an operator recovers an administrator who lost their password). Refusals: a
Chinese reason, exit status 1."""

from cpaudit.org.cli import AccountCommand
from cpaudit.org.services import password_reset


class Command(AccountCommand):
    help = "重置账号密码，输出一次性密码（首次登录须修改），并结束其全部会话。"
    system_name = "reset-password"

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        super().add_arguments(parser)

    def act(self, actor, options):
        user = self.account(options["username"])
        password = password_reset(actor=actor, user=user)
        self.stdout.write(f"已重置账号 {user.username} 的密码")
        self.stdout.write(f"一次性密码：{password}")
        self.stdout.write("登录后须立即修改密码；此密码只显示这一次。")

"""`cpaudit enable-user USERNAME --reason TEXT [--as-user NAME]`: re-enables a disabled account (a
dormant one, say), as the security administrator does on its page (SystemActor("enable-user") unless
--as-user). Refusals: a Chinese reason, exit status 1."""

from cpaudit.org.cli import AccountCommand
from cpaudit.org.services import account_enable


class Command(AccountCommand):
    help = "重新启用已停用的账号。"
    system_name = "enable-user"

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--reason", required=True, help="启用原因")
        super().add_arguments(parser)

    def act(self, actor, options):
        user = account_enable(actor=actor, user=self.account(options["username"]), reason=options["reason"])
        self.stdout.write(f"已重新启用账号 {user.username}")

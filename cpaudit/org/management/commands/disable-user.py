"""`cpaudit disable-user USERNAME --reason TEXT [--as-user NAME]`: disables an account and ends its
sessions (SystemActor("disable-user") unless --as-user). Refusals: a Chinese reason, exit status 1."""

from cpaudit.core.models import ActionLog
from cpaudit.org.cli import AccountCommand
from cpaudit.org.services import account_disable


class Command(AccountCommand):
    help = "停用账号并结束其全部会话。"
    system_name = "disable-user"

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME")
        parser.add_argument("--reason", required=True, help="停用原因")
        super().add_arguments(parser)

    def act(self, actor, options):
        user = account_disable(actor=actor, user=self.account(options["username"]), reason=options["reason"])
        entry = ActionLog.objects.filter(action="org.user.disabled", object_id=str(user.pk)).order_by("-seq").first()
        self.stdout.write(f"已停用账号 {user.username}，结束会话 {entry.data['sessions_ended']} 个")

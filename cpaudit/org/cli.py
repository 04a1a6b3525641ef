"""What the account commands share: the actor (a named SystemActor unless --as-user), finding the
account and the agency, and refusing in Chinese with exit status 1."""

import argparse
import sys

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, DjangoHelpFormatter

from cpaudit.core.errors import DomainError
from cpaudit.core.log import reset_request_context, set_request_context
from cpaudit.registry.excel.files import actor_for

from .models import Agency, User
from .roles import ROLE_AGENCY_KINDS, Role


def role_codes() -> str:
    return "、".join(r.value for r in Role)


class _Formatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """The epilog as written: one role code per line."""


ROLES_EPILOG = "角色代码（ROLE）：\n" + "\n".join(f"  {r.value:<16}{r.label}" for r in Role)


def describe(exc: Exception) -> str:
    """A service's refusal as one Chinese line: "字段：原因；…" for a ValidationError."""
    if isinstance(exc, DomainError):
        return exc.message
    if hasattr(exc, "error_dict"):
        parts = []
        for field, errors in exc.message_dict.items():
            try:
                label = str(User._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:  # a non-field key (__all__) or a form's own name
                label = ""
            parts.extend(f"{label}：{m}" if label else m for m in errors)
        return "；".join(parts)
    return "；".join(exc.messages)


class AccountCommand(BaseCommand):
    """A command acting on accounts: `act(actor, options)` runs inside a log context of its own."""

    system_name = ""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class, parser.epilog = _Formatter, ROLES_EPILOG
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--as-user", metavar="NAME", help="以该用户的身份执行（其权限适用），默认以系统身份执行")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, **options):
        token = set_request_context()
        try:
            actor = actor_for(options.get("as_user"), self.system_name)
            self.act(actor, options)
        except (ValidationError, DomainError) as exc:
            self.fail(describe(exc))
        finally:
            reset_request_context(token)

    def act(self, actor, options):
        raise NotImplementedError

    def account(self, username: str) -> User:
        user = User.objects.select_related("agency", "enterprise", "consulting_agency").filter(
            username=username).first()
        if user is None:
            self.fail(f"用户“{username}”不存在")
        return user

    def agency(self, role: str, code: str | None, agency_id: str | None) -> Agency | None:
        """The agency by id, or by division code among the agencies the role may belong to; a code
        two such agencies share (雄安's bureau sits on 保定's code) is refused with the candidates."""
        if code is not None and agency_id is not None:
            self.fail("--agency（区划代码）与 --agency-id（单位编号）只能用其一")
        if agency_id is not None:
            if not agency_id.isascii() or not agency_id.isdigit():
                self.fail(f"单位编号应为数字，实际为“{agency_id}”")
            agency = Agency.objects.filter(pk=int(agency_id)).first()
            if agency is None:
                self.fail(f"单位编号“{agency_id}”不存在")
            return agency
        if code is None:
            return None
        candidates = Agency.objects.filter(division_id=code).order_by("pk")
        if role in ROLE_AGENCY_KINDS:
            candidates = candidates.filter(kind__in=sorted(ROLE_AGENCY_KINDS[role]))
        candidates = list(candidates)
        if not candidates:
            self.fail(f"区划代码“{code}”没有{Role(role).label if role in Role.values else ''}可以所属的单位")
        if len(candidates) > 1:
            lines = "\n".join(f"  编号 {a.pk}：{a.name}（{a.get_kind_display()}）" for a in candidates)
            self.fail(f"区划代码“{code}”对应{len(candidates)}个单位，无法确定是哪一个；"
                      f"请改用 --agency-id 指定单位编号：\n{lines}")
        return candidates[0]


def unit_of(user: User) -> str:
    unit = user.agency or user.enterprise or user.consulting_agency
    return f"，{unit}" if unit else ""

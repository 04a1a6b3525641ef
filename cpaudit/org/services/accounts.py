"""Accounts: opening, editing, disabling, re-enabling, role assignment (authority.md § Roles).

Who may do what:
- 系统管理员 opens, edits and disables accounts of every business role;
- 安全管理员 assigns roles and re-enables accounts (and resets passwords, passwords.py);
- 分局经办 opens the accounts of enterprises in its county (bound to the enterprise and so to its
  USCC) and of consulting agencies engaged there, and re-enables those enterprises' accounts;
- the three administrator accounts are opened only from the server's shell (a SystemActor, i.e.
  `cpaudit create-user`): an administrator who opened one would know its first password;
- nobody acts on their own account; a role never moves between an administrator role and a
  business role (三权分立: one role per account, and an account's history stays with its kind).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot

from .. import access, policy
from ..account_scope import engaged_agencies_q
from ..jurisdiction import jurisdiction_of
from ..models import User
from ..roles import ADMIN_ROLES, Role
from ..sessions import end_sessions
from .common import USER_FIELDS, clean_reason, lock, not_self
from .passwords import set_password

EDITABLE_FIELDS = ["full_name", "phone", "agency", "enterprise", "consulting_agency", "is_inspector"]
BRANCH_CREATES = frozenset({Role.ENTERPRISE, Role.CONSULTANT})


def check_may_open(actor, user: User) -> None:
    """May `actor` open (or invite) this account? Raises PermissionDenied in Chinese."""
    if is_system(actor):
        return
    access.check(actor, "org.user.create")
    if user.role in ADMIN_ROLES:
        raise PermissionDenied("管理员账号只能由运维人员在服务器上用 cpaudit create-user 开设")
    if actor.role == Role.SYSTEM_ADMIN:
        return
    # 分局经办: its county's enterprises and the consulting agencies engaged there, nothing else.
    if user.role not in BRANCH_CREATES:
        raise PermissionDenied("分局经办只能开设本县（市、区）企业和在本县开展审核的咨询机构的账号")
    if user.role == Role.ENTERPRISE:
        county = user.enterprise.county_id if user.enterprise_id else None
        if not jurisdiction_of(actor).covers(county):
            raise PermissionDenied(f"企业「{user.enterprise}」不在您的辖区内，不能为其开设账号")
    else:
        from cpaudit.registry.models import ConsultingAgency

        engaged = engaged_agencies_q(actor)
        if engaged is None or not ConsultingAgency.objects.filter(engaged, pk=user.consulting_agency_id).exists():
            raise PermissionDenied(f"咨询机构「{user.consulting_agency}」未受托为本县（市、区）企业开展审核，"
                                   "不能为其开设账号")


def _clean(user: User) -> None:
    try:
        user.full_clean(exclude=["password", "last_login"])
    except ValidationError as exc:
        raise ValidationError({k.removesuffix("_id"): v for k, v in exc.message_dict.items()}) from None


@transaction.atomic
def user_create(*, actor, user: User, password: str | None = None, password_hash: str | None = None,
                one_time: bool = True) -> User:
    """Open `user` (unsaved). `password`, when given, passes every validator and is one-time unless
    said otherwise; `password_hash` is its hash, computed once by a caller opening many
    accounts with one password (the demo). Without a password the account has none it can log in with
    (an invitation, or an account that only appears in the records). Never logged."""
    check_may_open(actor, user)
    if password is None:
        if user.password and user.has_usable_password():
            raise ValueError("pass the password in clear as password=…: it has to go through the validators")
        user.set_unusable_password()
    _clean(user)
    now = clock.server_now()
    user.enabled_at = now
    if password is not None:
        set_password(user, password, one_time=one_time, encoded=password_hash)
    user.save()
    log_action(actor=actor, action="org.user.created", obj=user, changes=diff({}, snapshot(user, USER_FIELDS)),
               data={"password": ("one_time" if one_time else "set") if password is not None else "none"})
    return user


@transaction.atomic
def account_create(*, actor, user: User, invite: bool = False) -> tuple[User, str]:
    """Open an account and give it its first secret, returned to be shown once: a one-time password,
    or with `invite` an activation code with which the holder chooses their own (invitations.py)."""
    if invite:
        from .invitations import invitation_issue

        user.set_unusable_password()
        user_create(actor=actor, user=user)
        return user, invitation_issue(actor=actor, user=user)
    password = policy.generate_password(user)
    return user_create(actor=actor, user=user, password=password), password


def check_update(actor, user: User) -> None:
    access.check(actor, "org.user.change", user)
    not_self(actor, user, "修改")


def check_disable(actor, user: User) -> None:
    access.check(actor, "org.user.change", user)
    not_self(actor, user, "停用")


def check_enable(actor, user: User) -> None:
    access.check(actor, "org.user.enable", user)
    not_self(actor, user, "启用")
    if getattr(actor, "role", None) == Role.BRANCH_STAFF and user.role != Role.ENTERPRISE:
        raise PermissionDenied("分局只能重新启用本县（市、区）企业的账号")


def check_role(actor, user: User) -> None:
    access.check(actor, "org.user.role", user)
    not_self(actor, user, "更改")


@transaction.atomic
def account_update(*, actor, user: User, data: dict) -> User:
    """The system administrator corrects an account's person and binding (not its role: that is the
    security administrator's)."""
    check_update(actor, user)
    user = lock(user)
    before = snapshot(user, USER_FIELDS)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(user, name, data[name])
    _clean(user)
    changes = diff(before, snapshot(user, USER_FIELDS))
    if changes:
        user.save()
        log_action(actor=actor, action="org.user.updated", obj=user, changes=changes)
    return user


def _disable(actor, user: User, reason: str, action: str) -> None:
    user.is_active = False
    user.disabled_at = clock.server_now()
    user.disabled_reason = reason
    user.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    ended = end_sessions([user.pk])
    log_action(actor=actor, action=action, obj=user, changes={"is_active": [True, False]},
               data={"reason": reason, "sessions_ended": ended})


@transaction.atomic
def account_disable(*, actor, user: User, reason: str) -> User:
    """The system administrator disables an account; its sessions end at once."""
    check_disable(actor, user)
    reason = clean_reason(reason)
    user = lock(user)
    if not user.is_active:
        raise InvalidState(f"账号“{user.username}”已停用", code="already_disabled")
    _disable(actor, user, reason, "org.user.disabled")
    return user


@transaction.atomic
def account_enable(*, actor, user: User, reason: str) -> User:
    """The security administrator re-enables an account; branch staff an enterprise account of their
    county. Dormancy counts afresh from now."""
    check_enable(actor, user)
    reason = clean_reason(reason)
    user = lock(user)
    if user.is_active:
        raise InvalidState(f"账号“{user.username}”未停用", code="not_disabled")
    user.is_active = True
    user.enabled_at = clock.server_now()
    user.disabled_at, user.disabled_reason = None, ""
    user.save(update_fields=["is_active", "enabled_at", "disabled_at", "disabled_reason"])
    log_action(actor=actor, action="org.user.enabled", obj=user, changes={"is_active": [False, True]},
               data={"reason": reason})
    return user


@transaction.atomic
def role_set(*, actor, user: User, role: str) -> User:
    """The security administrator assigns a role. The account's binding must suit the new role (a
    different agency is the system administrator's change, made first)."""
    check_role(actor, user)
    if role not in Role.values:
        raise ValidationError({"role": f"没有角色“{role}”"})
    user = lock(user)
    if user.role == role:
        raise InvalidState(f"账号“{user.username}”已是{Role(role).label}", code="role_unchanged")
    if (user.role in ADMIN_ROLES) != (role in ADMIN_ROLES):
        raise PermissionDenied("管理员角色与业务角色不能互换：请另行开设账号（三权分立）")
    before = snapshot(user, USER_FIELDS)
    user.role = role
    _clean(user)
    user.save(update_fields=["role"])
    log_action(actor=actor, action="org.user.role_changed", obj=user, changes=diff(before, snapshot(user, USER_FIELDS)))
    return user

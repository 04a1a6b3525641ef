"""What the account services share: the logged fields, the Chinese labels of their log codes, locking
the account acted on and the rule that nobody manages their own account."""

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.logdisplay import register

from ..models import User

USER_FIELDS = ["username", "full_name", "role", "agency_id", "enterprise_id", "consulting_agency_id", "is_inspector",
               "is_demo", "is_active", "phone"]

register("org.agency.updated", "修改主管部门")
register("org.user.updated", "修改用户账号")
register("org.user.disabled", "停用用户账号")
register("org.user.dormant_disabled", "停用长期未使用的账号")
register("org.user.enabled", "重新启用用户账号")
register("org.user.role_changed", "分配角色")
register("org.user.password_changed", "修改密码")
register("org.user.password_reset", "重置密码")
register("org.user.invited", "发出账号激活码")
register("org.user.activated", "激活账号")
register("org.user.work_reassigned", "转办离岗人员的待办事项")


def lock(user: User) -> User:
    # of=self: PostgreSQL refuses FOR UPDATE across the nullable joins of the bindings.
    return (User.objects.select_for_update(of=("self",)).select_related("agency", "enterprise", "consulting_agency")
            .get(pk=user.pk))


def not_self(actor, user: User, what: str) -> None:
    """Nobody changes their own role, status or password through the administrators' actions."""
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        raise PermissionDenied(f"不能{what}自己的账号")


def clean_reason(reason: str, field: str = "reason") -> str:
    from django.core.exceptions import ValidationError

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: "请填写原因"})
    if len(reason) > 200:
        raise ValidationError({field: "原因不超过200字"})
    return reason

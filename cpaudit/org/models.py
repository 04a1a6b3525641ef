"""Divisions (GB/T 2260 / statistical codes), agencies and users."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .roles import ADMIN_ROLES, ROLE_AGENCY_KINDS, AgencyKind, Role


class Division(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地级"
        COUNTY = "county", "县级"

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            if node.name != "市辖区":
                names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Agency(models.Model):
    """A government agency bound to a division. `supervisor` is the agency one level up
    (configuration: 雄安新区's bureau may supervise 雄县、容城、安新; 定州 reports to the province)."""

    name = models.CharField("单位名称", max_length=100, unique=True)
    kind = models.CharField("级别", max_length=20, choices=AgencyKind.choices)
    division = models.ForeignKey(Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="agencies")
    supervisor = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="subordinates",
    )
    # The seed makes three persons answerable: 一把手, 分管局长, 科（股）长.
    head_name = models.CharField("一把手", max_length=50, blank=True)
    deputy_name = models.CharField("分管局长", max_length=50, blank=True)
    section_chief_name = models.CharField("科（股）长", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    fax = models.CharField("传真", max_length=30, blank=True)

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = "主管部门"
        verbose_name_plural = "主管部门"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.kind in (AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY) and self.division.level != Division.Level.COUNTY:
            raise ValidationError({"division": "县级单位须对应县级区划"})
        if self.kind == AgencyKind.PROVINCE and self.division.level != Division.Level.PROVINCE:
            raise ValidationError({"division": "省厅须对应省级区划"})


class User(AbstractUser):
    """One account, one role (see roles.py). Government roles belong to an agency; enterprise users
    to an enterprise; consultants to a consulting agency."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    agency = models.ForeignKey(Agency, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="users")
    enterprise = models.ForeignKey("registry.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="users")
    consulting_agency = models.ForeignKey("registry.ConsultingAgency", verbose_name="所属咨询机构", null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="users")
    is_inspector = models.BooleanField("检查人员", default=False)
    is_demo = models.BooleanField("演示账号", default=False)
    phone = models.CharField("手机", max_length=30, blank=True)
    # The password's age counts from here (expiry); every path that sets a password moves it.
    password_changed_at = models.DateTimeField("密码设置时间", default=timezone.now)
    # An initial or reset password is one-time: the holder must choose their own before anything else.
    must_change_password = models.BooleanField("须修改密码", default=False)
    # Dormancy counts from the later of the last login and this (creation or re-enabling), so a
    # re-enabled account gets a full period before the worker disables it again.
    enabled_at = models.DateTimeField("启用时间", null=True, blank=True)
    disabled_at = models.DateTimeField("停用时间", null=True, blank=True)
    disabled_reason = models.CharField("停用原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="org_user_admin_role_alone",
                condition=~models.Q(role__in=sorted(r.value for r in ADMIN_ROLES))
                | models.Q(agency__isnull=True, enterprise__isnull=True, consulting_agency__isnull=True,
                           is_inspector=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return f"{self.full_name or self.username}（{self.get_role_display()}）" if self.role else self.username

    is_system = False

    def clean(self):
        super().clean()
        role = self.role
        errors = {}
        if role in ADMIN_ROLES and (self.agency_id or self.enterprise_id or self.consulting_agency_id or
                                    self.is_inspector):
            errors["role"] = "管理员账号不得兼任业务角色（三权分立）"
        if role in ROLE_AGENCY_KINDS:
            if not self.agency_id:
                errors["agency"] = "政府工作人员须指定所属单位"
            elif self.agency.kind not in ROLE_AGENCY_KINDS[role]:
                errors["agency"] = f"{self.get_role_display()}不能属于{self.agency.get_kind_display()}"
        if role == Role.ENTERPRISE and not self.enterprise_id:
            errors["enterprise"] = "企业用户须指定所属企业"
        if role == Role.CONSULTANT and not self.consulting_agency_id:
            errors["consulting_agency"] = "咨询机构用户须指定所属咨询机构"
        if self.is_inspector and role not in ROLE_AGENCY_KINDS:
            errors["is_inspector"] = "只有政府工作人员可标记为检查人员"
        if errors:
            raise ValidationError(errors)


class PasswordHistory(models.Model):
    """The hashes of a user's earlier passwords (never the text): the last few may not be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    set_at = models.DateTimeField("设置时间")

    class Meta:
        ordering = ["user_id", "-set_at", "-pk"]
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user} 的历史密码（{self.set_at:%Y-%m-%d}）"


class ActivationCode(models.Model):
    """A one-time code with which an invited account sets its first password. Only its SM3 digest is
    stored; a new invitation replaces the open one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    digest = models.CharField("激活码SM3", max_length=64, unique=True)
    created_by = models.ForeignKey(User, verbose_name="邀请人", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("生成时间")
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        ordering = ["user_id", "-created_at", "-pk"]
        verbose_name = "激活码"
        verbose_name_plural = "激活码"

    def __str__(self) -> str:
        return f"{self.user} 的激活码"

"""The roles of authority.md. One role per account: that makes "no account holds two of the three
administrator roles, nor one of them and a business role" true by construction."""

from django.db import models


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", "企业用户"
    CONSULTANT = "consultant", "咨询机构用户"
    BRANCH_STAFF = "branch_staff", "分局经办"
    BRANCH_LEADER = "branch_leader", "分局负责人"
    CITY_STAFF = "city_staff", "市局经办"
    CITY_LEADER = "city_leader", "市局负责人"
    PROVINCE_STAFF = "province_staff", "省厅经办"
    PROVINCE_LEADER = "province_leader", "省厅负责人"
    EXPERT = "expert", "专家"
    SYSTEM_ADMIN = "sysadmin", "系统管理员"
    SECURITY_ADMIN = "secadmin", "安全管理员"
    AUDIT_ADMIN = "auditadmin", "审计管理员"


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
BRANCH_ROLES = frozenset({Role.BRANCH_STAFF, Role.BRANCH_LEADER})
CITY_ROLES = frozenset({Role.CITY_STAFF, Role.CITY_LEADER})
PROVINCE_ROLES = frozenset({Role.PROVINCE_STAFF, Role.PROVINCE_LEADER})
GOVERNMENT_ROLES = BRANCH_ROLES | CITY_ROLES | PROVINCE_ROLES
STAFF_ROLES = frozenset({Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF})
LEADER_ROLES = frozenset({Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_LEADER})


class AgencyKind(models.TextChoices):
    PROVINCE = "province", "省生态环境厅"
    CITY = "city", "市级生态环境局"
    # 省直管县 (定州): county and city level in one agency; fills the form's "设区市（省管县）" block.
    DIRECT_COUNTY = "direct_county", "省直管县（市）生态环境局"
    COUNTY = "county", "县（市、区）生态环境分局"


# The agencies that act as a county branch (a 省直管县 is one too, and its own city level).
BRANCH_AGENCY_KINDS = (AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY)

# Which agency kinds a government role may belong to.
ROLE_AGENCY_KINDS = {
    Role.BRANCH_STAFF: {AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY},
    Role.BRANCH_LEADER: {AgencyKind.COUNTY, AgencyKind.DIRECT_COUNTY},
    Role.CITY_STAFF: {AgencyKind.CITY, AgencyKind.DIRECT_COUNTY},
    Role.CITY_LEADER: {AgencyKind.CITY, AgencyKind.DIRECT_COUNTY},
    Role.PROVINCE_STAFF: {AgencyKind.PROVINCE},
    Role.PROVINCE_LEADER: {AgencyKind.PROVINCE},
}

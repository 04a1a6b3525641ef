"""Which accounts a user sees (the `org.user` scope of cpaudit.org.access).

- 系统管理员 and 安全管理员: every account.
- 分局经办: the accounts it may open — those of the enterprises in its county and of the consulting
  agencies engaged (委托, in an active campaign) by an enterprise there.
- A leader: the government accounts of its own agency (whose personal work it may hand over).
- Anyone else: none.
"""

from django.db.models import Q, QuerySet

from .jurisdiction import jurisdiction_of
from .roles import GOVERNMENT_ROLES, LEADER_ROLES, Role


def engaged_agencies_q(user, path: str = "pk") -> Q | None:
    """Q selecting the consulting agencies engaged in the user's counties (None: no county)."""
    from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment

    jur = jurisdiction_of(user)
    if jur.empty:
        return None
    engaged = Enrolment.objects.filter(jur.q("enterprise__county__code"), mode=AuditMode.ENTRUSTED,
                                       campaign__status=Campaign.Status.ACTIVE,
                                       consulting_agency__isnull=False).values("consulting_agency_id")
    return Q(**{f"{path}__in": engaged})


def user_scope(user, qs: QuerySet) -> QuerySet:
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False) or role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        return qs
    if role == Role.BRANCH_STAFF:
        jur = jurisdiction_of(user)
        agencies = engaged_agencies_q(user, "consulting_agency_id")
        if jur.empty or agencies is None:
            return qs.none()
        return qs.filter(Q(role=Role.ENTERPRISE) & jur.q("enterprise__county__code")
                         | Q(role=Role.CONSULTANT) & agencies)
    if role in LEADER_ROLES and getattr(user, "agency_id", None):
        return qs.filter(agency_id=user.agency_id, role__in=sorted(GOVERNMENT_ROLES))
    return qs.none()

"""Business actions on agencies and accounts (系统管理员's domain; commands act as a SystemActor)."""

from django.db import transaction

from cpaudit.core.log import diff, log_action, snapshot

from .. import access
from ..models import Agency, User

AGENCY_FIELDS = ["name", "kind", "division_id", "supervisor_id", "head_name", "deputy_name", "section_chief_name",
                 "phone", "fax"]
USER_FIELDS = ["username", "full_name", "role", "agency_id", "enterprise_id", "consulting_agency_id", "is_inspector",
               "is_demo", "is_active"]


@transaction.atomic
def agency_create(*, actor, agency: Agency) -> Agency:
    access.check(actor, "org.agency.change")
    agency.full_clean()
    agency.save()
    log_action(actor=actor, action="org.agency.created", obj=agency, changes=diff({}, snapshot(agency, AGENCY_FIELDS)))
    return agency


@transaction.atomic
def user_create(*, actor, user: User) -> User:
    """The password arrives hashed (set_password or make_password); it is never logged."""
    access.check(actor, "org.user.change")
    user.full_clean()
    user.save()
    log_action(actor=actor, action="org.user.created", obj=user, changes=diff({}, snapshot(user, USER_FIELDS)))
    return user

"""Business actions on agencies and accounts (the administrators' domain; commands act as a
SystemActor). One module per area; everything a caller needs is importable from here. Each account
action has a `check_…(actor, user)` the pages ask before offering it; the action asks it again."""

from .accounts import (
    account_create,
    account_disable,
    account_enable,
    account_update,
    check_disable,
    check_enable,
    check_may_open,
    check_role,
    check_update,
    role_set,
    user_create,
)
from .agencies import AGENCY_FIELDS, agency_create, agency_update
from .common import USER_FIELDS
from .dormancy import disable_dormant
from .handover import check_reassign, colleagues, pending_work, work_reassign
from .invitations import account_activate, check_invite, invitation_issue
from .passwords import check_reset, password_change, password_reset, set_password

__all__ = [
    "AGENCY_FIELDS", "USER_FIELDS", "account_activate", "account_create", "account_disable", "account_enable",
    "account_update", "agency_create", "agency_update", "check_disable", "check_enable", "check_invite",
    "check_may_open", "check_reassign", "check_reset", "check_role", "check_update", "colleagues",
    "disable_dormant", "invitation_issue", "password_change", "password_reset", "pending_work", "role_set",
    "set_password", "user_create", "work_reassign",
]

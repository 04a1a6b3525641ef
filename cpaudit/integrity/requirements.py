"""事前有防: nobody decides without a current declaration of interest.

Every government user (branch, city and province staff and leaders) and every expert must have filed a
declaration (利益关系申报) before their first decision, and renewed it within
`CPAUDIT_DECLARATION_VALID_DAYS` (a year by default): `require_current_declaration(actor, what)` is
the one guard the decision services call, and says why and where to file. An expert's declaration is
the one of its record in the pool (filed by the expert or recorded for it by the pool's keepers).
Other accounts (enterprises, consultants, administrators) and system actors take no decision this
guards, so they pass.

Validity is measured on the server clock, like `Declaration.declared_at`: a pinned business day (the
demo, tests) neither ages nor rejuvenates a declaration.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import PermissionDenied
from cpaudit.org.roles import GOVERNMENT_ROLES, Role

from .models import Declaration

MISSING, EXPIRED, DUE, CURRENT = "missing", "expired", "due", "current"


@dataclass(frozen=True)
class DeclarationStatus:
    state: str  # MISSING / EXPIRED / DUE (valid, renewal within the warning window) / CURRENT
    declaration: Declaration | None = None
    valid_until: dt.date | None = None
    days_left: int | None = None
    no_expert: bool = False  # an expert account not linked to the pool: nothing to declare on yet

    @property
    def valid(self) -> bool:
        return self.state in (DUE, CURRENT)

    @property
    def warning(self) -> bool:
        return self.state != CURRENT


def needs_declaration(user) -> bool:
    return not is_system(user) and getattr(user, "role", None) in GOVERNMENT_ROLES | {Role.EXPERT}


def _valid_days() -> int:
    return settings.CPAUDIT_DECLARATION_VALID_DAYS


def _period_text() -> str:
    days = _valid_days()
    return "一年" if days == 365 else f"{days}天"


def _subject(user) -> dict | None:
    """The declaration's subject for this account: its own record, or its expert's (None: no expert)."""
    if user.role != Role.EXPERT:
        return {"user_id": user.pk}
    from cpaudit.experts.models import Expert

    expert_id = Expert.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    return None if expert_id is None else {"expert_id": expert_id}


def status_of(declaration: Declaration | None, *, no_expert: bool = False) -> DeclarationStatus:
    if declaration is None:
        return DeclarationStatus(MISSING, no_expert=no_expert)
    expires = declaration.declared_at + dt.timedelta(days=_valid_days())
    now = clock.server_now()
    if expires <= now:
        return DeclarationStatus(EXPIRED, declaration, valid_until=timezone.localdate(expires))
    days_left = (expires - now).days
    state = DUE if days_left < settings.CPAUDIT_DECLARATION_WARN_DAYS else CURRENT
    return DeclarationStatus(state, declaration, valid_until=timezone.localdate(expires), days_left=days_left)


def declaration_status(user) -> DeclarationStatus | None:
    """Where `user` stands (None: the account needs no declaration). Two queries at most."""
    if not needs_declaration(user):
        return None
    subject = _subject(user)
    if subject is None:
        return status_of(None, no_expert=True)
    current = Declaration.objects.filter(**subject, is_current=True).only("pk", "version", "declared_at").first()
    return status_of(current)


def require_current_declaration(actor, what: str) -> None:
    """Refuse (PermissionDenied) a decision by a government user or expert whose declaration of
    interest is missing or older than the validity period; everyone else passes."""
    status = declaration_status(actor)
    if status is None or status.valid:
        return
    if status.no_expert:
        raise PermissionDenied(f"您的账号尚未关联专家库中的专家，无法填报利益关系申报，请联系专家库管理部门后再办理{what}")
    text = f"您尚未填报利益关系申报（或已超过{_period_text()}未更新），请先在“利益关系申报”中填报，再办理{what}"
    if status.state == EXPIRED:
        declared = timezone.localdate(status.declaration.declared_at)
        text += f"（您上次申报于{declared:%Y年%m月%d日}，已于{status.valid_until:%Y年%m月%d日}到期）"
    raise PermissionDenied(text)

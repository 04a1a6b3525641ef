"""Personal API tokens: create (the secret shown once), revoke, and authenticate a request's token.

A token is "cpat_" + 43 URL-safe characters (256 random bits); the database keeps its SHA-256 only, so
neither a backup nor a database reader can use it. It acts as its user, with the user's role and
jurisdiction (cpaudit.org.access decides everything as for the pages), and stops working when it
expires (CPAUDIT_API_TOKEN_DAYS after creation, clock.business_now), is revoked, or its account can no
longer log in. Creating and revoking are logged (api.token.created / api.token.revoked); a failed
authentication is reported to the login protection (protection.token_failed).
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org.backends import PlatformBackend

from .models import ApiToken

register("api.token.created", "创建接口令牌")
register("api.token.revoked", "撤销接口令牌")

PREFIX = "cpat_"
SECRET_BYTES = 32
# The longest string worth hashing: a real token is 48 characters.
MAX_LENGTH = 100
# Active tokens one user may hold at once (each script its own, but not without end).
MAX_ACTIVE = 10


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def lifetime_days() -> int:
    return settings.CPAUDIT_API_TOKEN_DAYS


def active(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=clock.business_now())


@transaction.atomic
def token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token of the actor's own; returns (token, secret). The secret is not kept anywhere."""
    if getattr(actor, "is_system", False) or not getattr(actor, "pk", None):
        raise PermissionDenied("接口令牌只能由用户本人创建")
    if not getattr(actor, "role", ""):
        raise PermissionDenied("未分配角色的账号不能创建接口令牌")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌用途（如：进展数据同步脚本）"})
    if len(name) > 60:
        raise ValidationError({"name": "令牌用途不能超过60个字符"})
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()  # one user's creations in turn
    if active(actor).count() >= MAX_ACTIVE:
        raise InvalidState(f"有效的接口令牌最多{MAX_ACTIVE}个，请先撤销不再使用的令牌", code="too_many_tokens")
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    now = clock.business_now()
    token = ApiToken.objects.create(user=actor, name=name, prefix=secret[:12], digest=digest(secret),
                                    created_at=now, expires_at=now + dt.timedelta(days=lifetime_days()))
    log_action(actor=actor, action="api.token.created", obj=token,
               data={"prefix": token.prefix, "expires_at": token.expires_at})
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """The owner ends a token at once; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能撤销本人的接口令牌")
    if token.revoked_at is not None:
        return token
    token.revoked_at = clock.business_now()
    token.save(update_fields=["revoked_at"])
    log_action(actor=actor, action="api.token.revoked", obj=token,
               changes={"revoked_at": [None, token.revoked_at]}, data={"prefix": token.prefix})
    return token


@dataclass(frozen=True)
class Verdict:
    """The outcome of presenting a token: the user, or why not (a stable code and a Chinese message).
    `owner` is the token's user when the secret matched a token that no longer works."""

    user: object = None
    code: str = ""
    message: str = ""
    owner: object = None


INVALID = Verdict(code="token_invalid", message="接口令牌无效")


def authenticate(secret: str) -> Verdict:
    """Who a presented secret acts as. Reads only: a GET through the API changes no row."""
    if not secret or len(secret) > MAX_LENGTH or not secret.startswith(PREFIX) or not secret.isascii():
        return INVALID
    token = ApiToken.objects.select_related("user", "user__agency").filter(digest=digest(secret)).first()
    if token is None:
        return INVALID
    user = token.user
    state = token.state(clock.business_now())
    if state == "revoked":
        return Verdict(code="token_revoked", message="接口令牌已撤销", owner=user)
    if state == "expired":
        return Verdict(code="token_expired",
                       message=f"接口令牌已于{token.expires_at:%Y-%m-%d}到期，请在“接口令牌”页面创建新令牌",
                       owner=user)
    if not PlatformBackend().user_can_authenticate(user):
        return Verdict(code="account_disabled", message="令牌所属账号已停用或不能登录", owner=user)
    return Verdict(user=user)

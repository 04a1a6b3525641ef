"""Bearer-token authentication of every API operation: `Authorization: Bearer cpat_…`.

The request then acts as the token's user (request.user), so services and cpaudit.org.access see the
same person, role and jurisdiction as on the pages. A session cookie is ignored: the API is for
scripts, and a token needs no CSRF token since a browser never sends it by itself. The login
protection applies as on the login page (protection.py): a locked address or account is refused, and
every failed token counts.
"""

from ninja.security import HttpBearer

from . import protection, tokens
from .errors import TokenError


class TokenAuth(HttpBearer):
    openapi_description = "个人接口令牌（在“接口令牌”页面创建）：Authorization: Bearer cpat_…"

    def authenticate(self, request, token):
        locked = protection.refused(request)
        if locked:
            raise TokenError("locked", locked)
        verdict = tokens.authenticate(token)
        if verdict.user is None:
            username = getattr(verdict.owner, "username", "")
            protection.token_failed(request, username=username)
            locked = protection.refused(request, username, record=False)  # this failure may have locked it
            raise TokenError("locked", locked) if locked else TokenError(verdict.code, verdict.message)
        locked = protection.refused(request, verdict.user.username)
        if locked:
            raise TokenError("locked", locked)
        request.user = verdict.user
        return verdict.user

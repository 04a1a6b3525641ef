"""Bearer-token authentication of every API operation: `Authorization: Bearer cpat_…`.

The request then acts as the token's user (request.user), so services and cpaudit.org.access see the
same person, role and jurisdiction as on the pages. A session cookie is ignored: the API is for
scripts, and a token needs no CSRF token since a browser never sends it by itself.
"""

from ninja.security import HttpBearer

from . import protection, tokens
from .errors import TokenError


class TokenAuth(HttpBearer):
    openapi_description = "个人接口令牌（在“接口令牌”页面创建）：Authorization: Bearer cpat_…"

    def authenticate(self, request, token):
        verdict = tokens.authenticate(token)
        if verdict.user is None:
            owner = verdict.owner
            protection.token_failed(request, username=getattr(owner, "username", ""))
            raise TokenError(verdict.code, verdict.message)
        request.user = verdict.user
        return verdict.user

"""Authorization rows for the token pages (collected by tests/test_authorization_matrix.py): every user
manages their own tokens; someone else's token is not found. The API's operations themselves are
covered by the token matrix of tests/api/test_api_matrix.py (namespace api-v1) and the public
description page and the catch-all by tests/api/test_docs.py: COVERED_ELSEWHERE tells the page matrix."""

from cpaudit.api import tokens
from cpaudit.org.roles import Role
from tests.factories import make_user

COVERED_ELSEWHERE = {"api-v1:*", "api_docs", "api_not_found"}


def own_token(w, rel):
    """The branch staff member's own token ("own"), or a token of a user outside the cast (any other
    relation): only its owner may revoke a token."""
    if rel == "own":
        owner = w.users[Role.BRANCH_STAFF]
    else:
        owner = make_user(f"token_owner_{rel}", Role.BRANCH_STAFF, agency=w.branch_b)
    return {"pk": tokens.token_create(actor=owner, name="矩阵")[0].pk}


MATRIX = {
    "api_tokens:token_list": (None, lambda role, rel: 200, "get"),
    "api_tokens:token_revoke": (own_token,
                                lambda role, rel: 302 if role == Role.BRANCH_STAFF and rel == "own" else 404,
                                "post"),
}

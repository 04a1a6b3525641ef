"""The API's one hook into the login protection (cpaudit.security.login), so the API never decides on
lockouts by itself: a token presented from a locked client address, or belonging to a locked account,
is refused before it is used; a failed token authentication counts as a failed login of the address,
and of the token's account when the secret matched a token that no longer works. It is announced as
Django's `user_login_failed`, the signal every login path sends and the login protection counts."""

from django.contrib.auth.signals import user_login_failed

from cpaudit.security import events, login


def refused(request, username: str = "", *, record: bool = True) -> str:
    """The refusal message when the client address (or the account) is locked, else "" (`record`: note
    the refusal in the security log, as the login page does)."""
    message = login.refusal(request, username)
    if message and record:
        events.record("login.refused", request=request, username=username, detail={"via": "api"})
    return message


def token_failed(request, *, username: str = "") -> None:
    """Report one failed token authentication (never the secret: only the account it belonged to)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)

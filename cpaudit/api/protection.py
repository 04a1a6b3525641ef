"""The API's one hook into the login protection (cpaudit.security), kept in one place so the API never
decides on lockouts by itself.

A failed token authentication counts as a failed login of the client address, and of the token's
account when the secret matched a token that no longer works; it is announced as Django's
`user_login_failed`, the signal every login path sends, which the login protection counts.
"""

from django.contrib.auth.signals import user_login_failed


def token_failed(request, *, username: str = "") -> None:
    """Report one failed token authentication (never the secret: only the account it belonged to)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)

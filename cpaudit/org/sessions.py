"""Ending a person's sessions when their account is disabled or their password is reset.

The session table does not index sessions by user, so its rows are decoded once per call
(a daily job or an administrator's action, never a page view). Deleting through the session store
also clears a cached copy (cached_db).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_sessions(user_ids) -> int:
    """Delete every session row of these users (expired ones too); how many were deleted."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    store = _store()
    decoder = store()
    keys = [row.session_key for row in store.get_model_class().objects.only("session_key", "session_data")
            .iterator(chunk_size=500) if str(decoder.decode(row.session_data).get(SESSION_KEY)) in wanted]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)

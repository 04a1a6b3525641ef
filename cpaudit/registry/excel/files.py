"""Helpers shared by the import and export commands and jobs."""

import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model

from cpaudit.core.actors import SystemActor
from cpaudit.core.errors import PermissionDenied


def sm3_file(path) -> str:
    """SM3 digest (hex) of a file, read in 1 MB blocks."""
    h = hashlib.new("sm3")
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def actor_for(username: str | None, system_name: str):
    """The user named by --as-user (whose scope and rights then apply), else a SystemActor."""
    if not username:
        return SystemActor(system_name)
    user = get_user_model().objects.select_related("agency").filter(username=username).first()
    if user is None:
        raise PermissionDenied(f"用户“{username}”不存在")
    if not user.is_active:
        raise PermissionDenied(f"用户“{username}”已停用")
    return user


def user_by_id(user_id):
    """The user a job runs for; never a system actor (a job always acts in its creator's name)."""
    user = get_user_model().objects.select_related("agency").filter(pk=user_id).first() if user_id else None
    if user is None:
        raise PermissionDenied("发起任务的用户不存在")
    if not user.is_active:
        raise PermissionDenied("发起任务的用户已停用")
    return user

"""Read paths of the account pages (query shape here: one query per page of accounts)."""

from django.db.models import Q

from . import access
from .models import User


def user_list(viewer, filters: dict):
    users = access.scope(viewer, User.objects.select_related("agency", "enterprise", "consulting_agency"))
    q = (filters.get("q") or "").strip()
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if filters.get("role"):
        users = users.filter(role=filters["role"])
    status = filters.get("status")
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "disabled":
        users = users.filter(is_active=False)
    elif status == "must_change":
        users = users.filter(must_change_password=True)
    return users.order_by("role", "username")


def user_detail(viewer, pk) -> User:
    return access.get_in_scope(viewer, User.objects.select_related("agency", "enterprise", "consulting_agency"),
                               pk=pk)

"""Administrators' pages: agencies (with their answerable persons) and accounts. No business data."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from cpaudit.core.views import domain_view

from . import access
from .models import Agency, User


@domain_view
def agency_list(request):
    access.check(request.user, "org.agency.view")
    agencies = access.scope(request.user, Agency.objects.select_related("division", "supervisor")).order_by(
        "division_id", "name")
    return render(request, "org/agency_list.html", {"agencies": agencies})


@domain_view
def user_list(request):
    access.check(request.user, "org.user.view")
    users = access.scope(request.user, User.objects.select_related("agency", "enterprise", "consulting_agency"))
    role = request.GET.get("role")
    if role:
        users = users.filter(role=role)
    page = Paginator(users.order_by("role", "username"), settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/user_list.html", {"page": page, "query": f"role={role}" if role else "",
                                                  "roles": User._meta.get_field("role").choices, "role": role})

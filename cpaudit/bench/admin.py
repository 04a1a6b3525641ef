"""The Django admin changelist of the enterprises: the quickly built alternative the platform's pages are
compared with (50 per page, a county filter, search on name and code). Its own AdminSite, mounted only
by cpaudit.settings.bench (cpaudit/bench/urls.py)."""

from django.contrib import admin

from cpaudit.registry.models import Enterprise

site = admin.AdminSite(name="bench_admin")


@admin.register(Enterprise, site=site)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "county", "industry", "management_level")
    list_filter = ("county",)
    search_fields = ("name", "uscc")
    list_per_page = 50
    list_select_related = ("county", "industry")

"""The platform's URLs plus the benchmark's peers (mounted only by cpaudit.settings.bench)."""

from django.urls import path

from cpaudit.urls import handler400, handler500  # noqa: F401
from cpaudit.urls import urlpatterns as platform

from .admin import site
from .views import floor

urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/admin/", site.urls),
    *platform,
]

"""Progress URLs, one module per area so each stays small: steps and evidence, options and figures,
dashboards and lists."""

from django.urls import include, path

app_name = "progress"
urlpatterns = [
    path("", include("cpaudit.progress.urls_steps")),
    path("", include("cpaudit.progress.urls_options")),
    path("", include("cpaudit.progress.urls_dashboards")),
]

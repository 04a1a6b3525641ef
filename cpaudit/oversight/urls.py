from django.urls import path

from . import views_calendar, views_findings, views_officials

app_name = "oversight"
urlpatterns = [
    path("findings/", views_findings.finding_list, name="finding_list"),
    path("findings/run/", views_findings.anomaly_run, name="anomaly_run"),
    path("findings/<int:pk>/", views_findings.finding_detail, name="finding_detail"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/<int:pk>/delete/", views_calendar.calendar_delete, name="calendar_delete"),
    path("officials/", views_officials.official_list, name="official_list"),
    path("officials/<int:pk>/", views_officials.official_detail, name="official_detail"),
    path("officials/<int:pk>/export/", views_officials.official_export, name="official_export"),
]

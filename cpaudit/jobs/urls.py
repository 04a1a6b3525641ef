from django.urls import path

from . import views, views_status

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/download/", views.job_download, name="job_download"),
    path("status/", views_status.status, name="status"),
    path("status/incidents/<int:pk>/resolve/", views_status.incident_resolve, name="incident_resolve"),
]

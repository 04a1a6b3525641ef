"""Steps and evidence (names under the "progress" namespace)."""

from django.urls import path

from .views import steps as views

urlpatterns = [
    path("enrolments/<int:pk>/", views.enrolment_progress, name="enrolment_progress"),
    path("enrolments/<int:pk>/steps/<int:step>/", views.step_edit, name="step_edit"),
    path("records/<int:pk>/review/", views.step_review, name="step_review"),
    path("records/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("campaigns/<slug:slug>/targets/", views.stage_targets, name="stage_targets"),
]

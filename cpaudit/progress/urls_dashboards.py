"""Dashboards and lists (names under the "progress" namespace)."""

from django.urls import path

from .views import consistency
from .views import dashboards as views

urlpatterns = [
    path("benefits/", views.benefits_by_campaign, name="benefits_by_campaign"),
    path("campaigns/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/<slug:slug>/dashboard/options/", views.option_list, name="dashboard_options"),
    path("campaigns/<slug:slug>/enrolments/", views.enrolment_list, name="enrolment_list"),
    path("campaigns/<slug:slug>/enrolments/export/", views.enrolment_list_export, name="enrolment_list_export"),
    path("campaigns/<slug:slug>/consistency/", consistency.consistency_list, name="consistency_list"),
    path("campaigns/<slug:slug>/consistency/export/", consistency.consistency_export, name="consistency_export"),
]

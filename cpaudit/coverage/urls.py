from django.urls import path

from . import views

app_name = "coverage"
urlpatterns = [
    path("", views.index, name="index"),
    path("exemptions/<int:pk>/", views.exemption_detail, name="exemption_detail"),
    path("exemptions/<int:pk>/evidence/", views.exemption_evidence, name="exemption_evidence"),
    path("<slug:slug>/", views.campaign_coverage, name="campaign"),
    path("<slug:slug>/export/", views.export, name="export"),
    path("<slug:slug>/register/", views.register_import, name="register_import"),
    path("<slug:slug>/enrol/<int:pk>/", views.enrol, name="enrol"),
    path("<slug:slug>/exemptions/new/", views.exemption_create, name="exemption_create"),
]

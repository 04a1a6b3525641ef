from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<slug:slug>/enrol/", views.enrolment_create, name="enrolment_create"),
    path("enrolments/<int:pk>/edit/", views.enrolment_edit, name="enrolment_edit"),
]

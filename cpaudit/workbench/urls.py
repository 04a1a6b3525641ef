"""工作台"""
from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [
    path("", views.index, name="index"),
    path("remind/", views.remind, name="remind"),
    path("confirm/", views.confirm, name="confirm"),
    path("<slug:key>/", views.section, name="section"),
    path("<slug:key>/next/", views.next_pending, name="next"),
]

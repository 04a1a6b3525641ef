from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("users/", views.user_list, name="user_list"),
]

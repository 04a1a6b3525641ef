from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_log

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("log/", views_log.log_list, name="log_list"),
    path("log/export.csv", views_log.log_export, name="log_export"),
]

from django.urls import path

from cpaudit.security import views_login

from . import views, views_log

urlpatterns = [
    path("", views.home, name="home"),
    # Every login goes through cpaudit.security (lockouts, the second factor, session limits).
    path("login/", views_login.login_view, name="login"),
    path("logout/", views_login.logout_view, name="logout"),
    path("log/", views_log.log_list, name="log_list"),
    path("log/export.csv", views_log.log_export, name="log_export"),
    path("log/verify/", views_log.log_verify, name="log_verify"),
]

from django.urls import path

from . import views, views_login

app_name = "security"
urlpatterns = [
    path("login/verify/", views_login.login_verify, name="login_verify"),
    path("login/enrol/", views_login.login_enrol, name="login_enrol"),
    path("otp/", views.otp_setup, name="otp_setup"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout_unlock"),
    path("otp/reset/", views.otp_reset, name="otp_reset"),
    path("events/", views.event_list, name="event_list"),
]

from django.urls import path

from . import views, views_accounts, views_password

app_name = "org"
urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views_accounts.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views_accounts.user_edit, name="user_edit"),
    path("users/<int:pk>/disable/", views_accounts.user_disable, name="user_disable"),
    path("users/<int:pk>/enable/", views_accounts.user_enable, name="user_enable"),
    path("users/<int:pk>/role/", views_accounts.user_role, name="user_role"),
    path("users/<int:pk>/reset-password/", views_accounts.user_reset, name="user_reset"),
    path("users/<int:pk>/invite/", views_accounts.user_invite, name="user_invite"),
    path("users/<int:pk>/handover/", views_accounts.user_handover, name="user_handover"),
    path("password/", views_password.password_change, name="password_change"),
    # Public: an invited person sets their first password with the activation code.
    path("activate/", views_password.activate, name="activate"),
    path("security-policy/", views_password.security_policy, name="security_policy"),
]

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/export/", views.enterprise_export, name="enterprise_export"),
    path("enterprises/import/", views.enterprise_import, name="enterprise_import"),
    path("enterprises/template.xlsx", views.enterprise_template, name="enterprise_template"),
    path("consulting/", views.consulting_list, name="consulting_list"),
    path("consulting/new/", views.consulting_create, name="consulting_create"),
    path("consulting/<int:pk>/edit/", views.consulting_edit, name="consulting_edit"),
    path("aliases/", views.alias_list, name="alias_list"),
    path("aliases/new/", views.alias_create, name="alias_create"),
    path("aliases/<int:pk>/edit/", views.alias_edit, name="alias_edit"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
]

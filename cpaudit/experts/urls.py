from django.urls import path

from . import views_panels, views_pool

app_name = "experts"
urlpatterns = [
    path("", views_pool.expert_list, name="expert_list"),
    path("new/", views_pool.expert_create, name="expert_create"),
    path("<int:pk>/", views_pool.expert_detail, name="expert_detail"),
    path("<int:pk>/edit/", views_pool.expert_edit, name="expert_edit"),
    path("<int:pk>/active/", views_pool.expert_set_active, name="expert_set_active"),
    path("sheets/", views_pool.scoresheet_list, name="scoresheet_list"),
    path("sheets/<slug:slug>/<str:kind>/", views_pool.scoresheet_edit, name="scoresheet_edit"),
    path("panels/application/<int:application_pk>/", views_panels.panel, name="panel"),
    path("tasks/", views_panels.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/score/", views_panels.score, name="score"),
]

from django.urls import path

from . import views, views_interventions

app_name = "integrity"
urlpatterns = [
    path("mine/", views.my_declaration, name="my_declaration"),
    path("experts/<int:pk>/", views.expert_declaration, name="expert_declaration"),
    path("interventions/", views_interventions.intervention_list, name="intervention_list"),
    path("interventions/new/", views_interventions.intervention_create, name="intervention_create"),
    path("interventions/<int:pk>/", views_interventions.intervention_detail, name="intervention_detail"),
    path("interventions/<int:pk>/follow-up/", views_interventions.intervention_follow_up,
         name="intervention_follow_up"),
    path("interventions/<int:pk>/close/", views_interventions.intervention_close, name="intervention_close"),
]

from django.urls import path

from . import views

app_name = "integrity"
urlpatterns = [
    path("mine/", views.my_declaration, name="my_declaration"),
    path("experts/<int:pk>/", views.expert_declaration, name="expert_declaration"),
]

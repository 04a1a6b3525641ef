"""双随机抽查"""
from django.urls import path

from . import views

app_name = "spotchecks"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/verify/", views.plan_verify, name="plan_verify"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("files/<int:pk>/", views.file_download, name="file_download"),
    path("mine/", views.my_items, name="my_items"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("inspectors/", views.inspector_list, name="inspector_list"),
]

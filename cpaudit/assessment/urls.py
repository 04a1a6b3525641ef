from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.scorecard_page, name="scorecards"),
    path("circulars/", views.circular_list, name="circular_list"),
    path("circulars/draft/", views.circular_draft, name="circular_draft"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular_detail"),
    path("circulars/<int:pk>/<str:fmt>/", views.circular_download, name="circular_download"),
    path("summonses/", views.summons_list, name="summons_list"),
    path("summonses/<int:pk>/", views.summons_detail, name="summons_detail"),
    path("commitments/<int:pk>/done/", views.commitment_done, name="commitment_done"),
    path("extensions/", views.extension_list, name="extension_list"),
    path("extensions/<int:pk>/", views.extension_detail, name="extension_detail"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
]

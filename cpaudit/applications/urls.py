from django.urls import path

from . import urls_documents, views, views_batches, views_form, views_summary

app_name = "applications"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views_form.edit, name="edit"),
    path("start/<int:pk>/", views_form.start, name="start"),
    path("batches/", views_batches.batch_list, name="batch_list"),
    path("batches/new/", views_batches.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views_batches.batch_detail, name="batch_detail"),
    path("summary/", views_summary.summary, name="summary"),
    *urls_documents.urlpatterns,
]

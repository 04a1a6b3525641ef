"""Options (清洁生产方案) and the baseline / after-implementation figures of an enrolment."""

from django.urls import path, re_path

from .views import options as views

urlpatterns = [
    path("enrolments/<int:pk>/options/", views.option_list, name="option_list"),
    path("enrolments/<int:pk>/options/new/", views.option_create, name="option_create"),
    path("options/<int:pk>/edit/", views.option_edit, name="option_edit"),
    re_path(r"^enrolments/(?P<pk>[0-9]+)/figures/(?P<kind>baseline|after)/$", views.figures_edit,
            name="figures_edit"),
]

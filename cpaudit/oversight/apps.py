from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "cpaudit.oversight"
    label = "oversight"
    verbose_name = "事后监督"

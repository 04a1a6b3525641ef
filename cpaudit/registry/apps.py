from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "cpaudit.registry"
    label = "registry"
    verbose_name = "企业名录"

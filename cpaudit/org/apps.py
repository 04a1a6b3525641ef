from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "cpaudit.org"
    label = "org"
    verbose_name = "机构与用户"

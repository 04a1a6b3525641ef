from django.apps import AppConfig


class SpotchecksConfig(AppConfig):
    name = "cpaudit.spotchecks"
    label = "spotchecks"
    verbose_name = "双随机抽查"

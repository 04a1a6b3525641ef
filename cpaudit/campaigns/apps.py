from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "cpaudit.campaigns"
    label = "campaigns"
    verbose_name = "审核批次"

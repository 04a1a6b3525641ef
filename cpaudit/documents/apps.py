from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cpaudit.documents"
    label = "documents"
    verbose_name = "签发文书与电子印章"

    def ready(self) -> None:
        # The log's labels of the key and issue actions, and the checkpoint receiver.
        from . import keys, services, signals  # noqa: F401

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cpaudit.documents"
    label = "documents"
    verbose_name = "签发文书与电子印章"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (checkpoints written mark the issued documents they cover)

from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "cpaudit.workbench"
    label = "workbench"
    verbose_name = "工作台"

    def ready(self):
        from django.db.models.signals import post_save

        from cpaudit.core.models import ActionLog
        from cpaudit.jobs.worker import daily

        from . import log_labels, notify  # noqa: F401  (log labels)

        # Acting on an item reads the notifications about it (notify.mark_done).
        post_save.connect(notify.on_log_entry, sender=ActionLog, dispatch_uid="workbench.mark_done")
        daily("digests", "每日待办摘要未能生成（将自动重试）")(_daily_digests)


def _daily_digests() -> None:
    from .digest import send_digests

    send_digests()

"""A checkpoint written vouches for every issued document logged at or before its head: mark them, so
the ones whose own checkpoint failed (an unwritable file) are no longer pending."""

from django.dispatch import receiver

from cpaudit.core.checkpoint import checkpoint_written

from .models import IssuedDocument


@receiver(checkpoint_written)
def mark_covered(sender, point: dict, **kwargs) -> None:
    IssuedDocument.objects.filter(checkpoint_seq__isnull=True, log_seq__lte=point["seq"]).update(
        checkpoint_seq=point["seq"])

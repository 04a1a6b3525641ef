"""Whether a consulting agency may take new clients (暂停承接): asked where an enterprise engages one
(campaigns.services.enrolment_save)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .models import Suspension


def active_suspension(consulting_agency_id) -> Suspension | None:
    return (Suspension.objects.filter(consulting_agency_id=consulting_agency_id, lifted_at__isnull=True)
            .select_related("consulting_agency").first())


def refuse_if_suspended(consulting_agency_id) -> None:
    suspension = active_suspension(consulting_agency_id)
    if suspension is not None:
        raise ValidationError({"consulting_agency": (
            f"咨询机构「{suspension.consulting_agency}」自{suspension.started_at:%Y年%m月%d日}起被暂停承接新的"
            f"清洁生产审核业务（原因：{suspension.reason}），请选择其他咨询机构或改为自审")})

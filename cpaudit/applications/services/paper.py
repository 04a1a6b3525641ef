"""Which levels record their decisions on paper (PaperAgency): the province's staff set it for the
province itself or for a city-level agency of the province, for every campaign or one. Applications
already in the chain follow the setting from their current state on (transitions.owner).

Log codes: applications.paper.set, applications.paper.removed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.roles import AgencyKind

from ..models import PaperAgency

register("applications.paper.set", "设置以纸质方式办理的单位")
register("applications.paper.removed", "取消纸质办理设置")


def _in_province(actor, agency) -> bool:
    node = agency
    while node is not None:
        if node.pk == actor.agency_id:
            return True
        node = node.supervisor
    return False


@transaction.atomic
def paper_agency_set(*, actor, agency, campaign=None, note: str) -> PaperAgency:
    access.check(actor, "applications.paper.configure")
    if agency.kind not in (AgencyKind.CITY, AgencyKind.PROVINCE):
        raise ValidationError({"agency": "只有设区市生态环境局或省生态环境厅可以设置为纸质办理（县级分局和省直管县须在平台办理）"})
    if not getattr(actor, "is_system", False) and not _in_province(actor, agency):
        raise PermissionDenied(f"{agency}不在您单位的管理范围内")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请说明依据（如：省厅2020年X月X日通知，本批次审批以纸质来文为准）"})
    try:
        with transaction.atomic():
            item = PaperAgency.objects.create(agency=agency, campaign=campaign, note=note,
                                              configured_by=None if getattr(actor, "is_system", False) else actor,
                                              configured_at=clock.server_now())
    except IntegrityError as exc:
        raise InvalidState(f"{agency}已设置为纸质办理（{campaign or '所有批次'}）", code="exists") from exc
    log_action(actor=actor, action="applications.paper.set", obj=item,
               data={"agency": agency.name, "campaign": campaign.slug if campaign else None, "note": note})
    return item


@transaction.atomic
def paper_agency_remove(*, actor, item: PaperAgency, reason: str) -> None:
    access.check(actor, "applications.paper.configure")
    item = PaperAgency.objects.select_for_update(of=("self",)).select_related("agency", "campaign").get(pk=item.pk)
    if not getattr(actor, "is_system", False) and not _in_province(actor, item.agency):
        raise PermissionDenied(f"{item.agency}不在您单位的管理范围内")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写取消原因"})
    log_action(actor=actor, action="applications.paper.removed", obj=item,
               data={"agency": item.agency.name, "campaign": item.campaign.slug if item.campaign else None,
                     "reason": reason})
    item.delete()

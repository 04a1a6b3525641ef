"""Agencies (系统管理员): opening one and correcting it (name, level, division, supervisor, the
answerable persons). An agency is never deleted: records and accounts refer to it."""

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core.log import diff, log_action, snapshot

from .. import access
from ..models import Agency

AGENCY_FIELDS = ["name", "kind", "division_id", "supervisor_id", "head_name", "deputy_name", "section_chief_name",
                 "phone", "fax"]
EDITABLE = ["name", "kind", "division", "supervisor", "head_name", "deputy_name", "section_chief_name", "phone", "fax"]


@transaction.atomic
def agency_create(*, actor, agency: Agency) -> Agency:
    access.check(actor, "org.agency.change")
    agency.full_clean()
    agency.save()
    log_action(actor=actor, action="org.agency.created", obj=agency, changes=diff({}, snapshot(agency, AGENCY_FIELDS)))
    return agency


@transaction.atomic
def agency_update(*, actor, agency: Agency, data: dict) -> Agency:
    access.check(actor, "org.agency.change", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = snapshot(agency, AGENCY_FIELDS)
    for name in EDITABLE:
        if name in data:
            setattr(agency, name, data[name])
    if agency.supervisor_id is not None and agency.supervisor_id == agency.pk:
        raise ValidationError({"supervisor": "上级单位不能是本单位"})
    agency.full_clean()
    changes = diff(before, snapshot(agency, AGENCY_FIELDS))
    if changes:
        agency.save()
        log_action(actor=actor, action="org.agency.updated", obj=agency, changes=changes)
    return agency

"""Business actions on the registry. Each checks the actor in cpaudit.org.access and writes its log
entry in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.models import Division

from .models import ConsultingAgency, DivisionAlias, Enterprise
from .uscc import check as check_uscc

register("registry.divisionalias.created", "新增区划别名")
register("registry.divisionalias.updated", "修改区划别名")
register("registry.divisionalias.deleted", "删除区划别名")

ENTERPRISE_FIELDS = [
    "name", "uscc", "uscc_check_accepted", "county_id", "address", "postcode", "legal_representative",
    "contact_person", "contact_phone", "nature", "industry_id", "registered_capital", "main_business_revenue",
    "annual_output_value", "annual_sales", "main_products", "management_level", "water_related",
]
# What an enterprise user may correct itself; identity, county and level stay with staff.
CONTACT_FIELDS = ["address", "postcode", "contact_person", "contact_phone", "main_products",
                  "registered_capital", "main_business_revenue", "annual_output_value", "annual_sales"]


def clean_uscc(raw: str, *, accepted: bool) -> str:
    """The normalized code, or ValidationError in Chinese naming the expected check character.
    A code failing only its check character passes when staff accepted it (已核对营业执照)."""
    result = check_uscc(raw)
    if result.valid or (accepted and result.only_check_fails):
        return result.code
    hint = "；如已核对营业执照确认无误，可勾选“已核对营业执照”后保存" if result.only_check_fails else ""
    raise ValidationError({"uscc": result.reason + hint})


def _validate_county(county_id: str) -> None:
    if not Division.objects.filter(code=county_id, level=Division.Level.COUNTY).exists():
        raise ValidationError({"county": "所在县（市、区）应为县级行政区划"})


@transaction.atomic
def enterprise_create(*, actor, data: dict) -> Enterprise:
    enterprise = Enterprise(**data)
    access.check(actor, "registry.enterprise.create", enterprise)
    accepted = bool(data.get("uscc_check_accepted"))
    if accepted:
        access.check(actor, "registry.enterprise.accept_uscc", enterprise)
    enterprise.uscc = clean_uscc(enterprise.uscc, accepted=accepted)
    enterprise.uscc_check_accepted = accepted and not check_uscc(enterprise.uscc).valid
    _validate_county(enterprise.county_id)
    enterprise.full_clean()
    enterprise.save()
    log_action(actor=actor, action="registry.enterprise.created", obj=enterprise,
               changes=diff({}, snapshot(enterprise, ENTERPRISE_FIELDS)), data=acceptance_note(enterprise))
    return enterprise


def acceptance_note(enterprise) -> dict:
    """Accepting a code that fails its check is a decision: the entry says which check failed."""
    if not enterprise.uscc_check_accepted:
        return {}
    return {"uscc_check_accepted": True, "uscc_check_failure": check_uscc(enterprise.uscc).reason}


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, data: dict) -> Enterprise:
    """Change fields of an enterprise. Staff may change everything; an enterprise user only CONTACT_FIELDS."""
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = snapshot(enterprise, ENTERPRISE_FIELDS)
    changing = {k: v for k, v in data.items() if getattr(enterprise, k) != v}
    if not changing:
        return enterprise
    if set(changing) - set(CONTACT_FIELDS):
        access.check(actor, "registry.enterprise.change", enterprise)
    else:
        access.check(actor, "registry.enterprise.change_contact", enterprise)
    for key, value in changing.items():
        setattr(enterprise, key, value)
    if "county_id" in changing:
        access.check(actor, "registry.enterprise.change", enterprise)  # the new county must be in jurisdiction
        _validate_county(enterprise.county_id)
    accepted = enterprise.uscc_check_accepted
    if "uscc_check_accepted" in changing and accepted:
        access.check(actor, "registry.enterprise.accept_uscc", enterprise)
    enterprise.uscc = clean_uscc(enterprise.uscc, accepted=accepted)
    enterprise.uscc_check_accepted = accepted and not check_uscc(enterprise.uscc).valid
    enterprise.full_clean()
    after = snapshot(enterprise, ENTERPRISE_FIELDS)
    changes = diff(before, after)
    if not changes:
        return enterprise
    enterprise.save()
    note = acceptance_note(enterprise) if "uscc_check_accepted" in changes or "uscc" in changes else {}
    log_action(actor=actor, action="registry.enterprise.updated", obj=enterprise, changes=changes, data=note)
    return enterprise


CONSULTING_FIELDS = ["name", "uscc", "uscc_check_accepted", "contact_person", "contact_phone", "address"]


@transaction.atomic
def consulting_agency_save(*, actor, agency: ConsultingAgency | None, data: dict,
                           industries=None) -> ConsultingAgency:
    access.check(actor, "registry.consultingagency.change")
    created = agency is None
    if created:
        agency = ConsultingAgency()
        before = {}
    else:
        agency = ConsultingAgency.objects.select_for_update().get(pk=agency.pk)
        before = snapshot(agency, CONSULTING_FIELDS)
        before["industries"] = sorted(agency.industries.values_list("code", flat=True))
    for key, value in data.items():
        setattr(agency, key, value)
    agency.uscc = clean_uscc(agency.uscc, accepted=agency.uscc_check_accepted)
    agency.uscc_check_accepted = agency.uscc_check_accepted and not check_uscc(agency.uscc).valid
    agency.full_clean()
    agency.save()
    if industries is not None:
        agency.industries.set(industries)
    after = snapshot(agency, CONSULTING_FIELDS)
    after["industries"] = sorted(agency.industries.values_list("code", flat=True))
    changes = diff(before, after)
    if changes:
        log_action(actor=actor, action="registry.consultingagency." + ("created" if created else "updated"),
                   obj=agency, changes=changes)
    return agency


# --- zone → county aliases (区划别名) -----------------------------------------------------------------

ALIAS_FIELDS = ["alias", "county_id", "note"]


def _clean_alias(alias: DivisionAlias) -> None:
    """The text as the importer compares it; a county-level target; not a real name; one county per
    alias within a province (else the importer could not choose)."""
    from .concordance import norm

    alias.alias = norm(alias.alias)
    alias.note = (alias.note or "").strip()
    errors = {}
    if not alias.alias:
        errors["alias"] = "请填写别名"
    county = Division.objects.filter(code=alias.county_id, level=Division.Level.COUNTY).first()
    if county is None:
        errors["county"] = "别名须对应到县级行政区划"
    elif alias.alias and Division.objects.filter(name=alias.alias, level=Division.Level.COUNTY,
                                                 code__startswith=county.code[:2]).exists():
        errors["alias"] = f"“{alias.alias}”本身就是县级行政区划名称，无需别名"
    elif alias.alias:
        taken = (DivisionAlias.objects.filter(alias=alias.alias, county__code__startswith=county.code[:2])
                 .exclude(pk=alias.pk).select_related("county").first())
        if taken is not None:
            errors["alias"] = f"别名“{alias.alias}”已对应到{taken.county.full_name}（{taken.county_id}）"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def division_alias_create(*, actor, alias: str, county_id: str, note: str = "") -> DivisionAlias:
    record = DivisionAlias(alias=alias, county_id=county_id, note=note,
                           created_by=actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False)
                           else None)
    access.check(actor, "registry.divisionalias.change", record)
    _clean_alias(record)
    record.save()
    log_action(actor=actor, action="registry.divisionalias.created", obj=record,
               changes=diff({}, snapshot(record, ALIAS_FIELDS)))
    return record


@transaction.atomic
def division_alias_update(*, actor, record: DivisionAlias, data: dict) -> DivisionAlias:
    record = DivisionAlias.objects.select_for_update().get(pk=record.pk)
    access.check(actor, "registry.divisionalias.change", record)  # the county it has now
    before = snapshot(record, ALIAS_FIELDS)
    for key in ALIAS_FIELDS:
        if key in data:
            setattr(record, key, data[key])
    access.check(actor, "registry.divisionalias.change", record)  # and the county it gets
    _clean_alias(record)
    changes = diff(before, snapshot(record, ALIAS_FIELDS))
    if changes:
        record.save()
        log_action(actor=actor, action="registry.divisionalias.updated", obj=record, changes=changes)
    return record


@transaction.atomic
def division_alias_delete(*, actor, record: DivisionAlias) -> None:
    record = DivisionAlias.objects.select_for_update().get(pk=record.pk)
    access.check(actor, "registry.divisionalias.change", record)
    before = snapshot(record, ALIAS_FIELDS)
    log_action(actor=actor, action="registry.divisionalias.deleted", obj=record, changes=diff(before, {}))
    record.delete()

"""Business actions of 应开展未开展: import a register, propose and decide exemptions, enrol an
enterprise found by the comparison (through the campaigns enrolment service), export the comparison."""

import os
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.campaigns.models import AuditMode, Campaign
from cpaudit.campaigns.services import enrolment_save
from cpaudit.core import clock, storedfiles
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.registry.excel.files import sm3_file
from cpaudit.registry.models import Enterprise

from .export import write_workbook
from .models import Exemption, Register
from .register import Counties, RegisterFile, read_register
from .selectors import Coverage, county_names

EVIDENCE_KINDS = (storedfiles.FileKind.PDF, storedfiles.FileKind.IMAGE, storedfiles.FileKind.WORD)


def _active(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.ACTIVE:
        raise InvalidState(f"审核批次“{campaign.name}”已结束", code="closed")


def read_campaign_register(campaign: Campaign, path) -> RegisterFile:
    """Read a register file against the campaign's counties (no write)."""
    return read_register(path, counties=Counties(county_names(campaign)))


def register_import(*, actor, campaign: Campaign, path, filename: str) -> tuple[Register | None, RegisterFile]:
    """Read the file and keep its rows as the campaign's latest register for the actor's agency; nothing
    is kept when the file or its headers are unusable (the errors say why)."""
    access.check(actor, "coverage.register.import")
    if not access.scope(actor, Campaign.objects.filter(pk=campaign.pk)).exists():
        raise PermissionDenied("无权查看该审核批次")
    _active(campaign)
    if getattr(actor, "agency_id", None) is None:
        raise PermissionDenied("外部名录须由主管部门人员导入")
    read = read_campaign_register(campaign, path)
    if not read.ok:
        return None, read
    with transaction.atomic():
        register = Register.objects.create(
            campaign=campaign, agency_id=actor.agency_id, filename=storedfiles.clean_name(filename), sm3=read.sm3,
            rows=[r.as_dict() for r in read.rows], notices=read.notices, imported_by=actor,
            imported_at=clock.business_now())
        log_action(actor=actor, action="coverage.register.imported", obj=register, data={
            "campaign": campaign.slug, "rows": len(read.rows), "sm3": read.sm3, "filename": register.filename,
            "needs_person": sum(1 for r in read.rows if r.problems)})
    return register, read


def exemption_propose(*, actor, campaign: Campaign, name: str, county: str, reason: str, explanation: str,
                      uploaded_file, uscc: str = "", enterprise: Enterprise | None = None) -> Exemption:
    """Staff propose taking an enterprise out of the 应开展未开展 list, with a reason and evidence."""
    access.check(actor, "coverage.exemption.propose")
    _active(campaign)
    if enterprise is not None:
        access.check(actor, "registry.enterprise.view", enterprise)
        name, uscc, county = enterprise.name, enterprise.uscc, enterprise.county_id
    name, explanation = (name or "").strip(), (explanation or "").strip()
    errors = {}
    if not name:
        errors["name"] = "请填写企业名称"
    if county not in county_names(campaign):
        errors["county"] = "请选择本批次范围内的县（市、区）"
    elif not jurisdiction_of(actor).covers(county):
        raise PermissionDenied("该县（市、区）不在您的辖区内，无权提出豁免")
    if reason not in Exemption.Reason.values:
        errors["reason"] = "请选择豁免情形"
    if not explanation:
        errors["explanation"] = "请填写情况说明"
    if uploaded_file is None:
        errors["evidence"] = "请上传证明材料（如关停、停产、搬迁的文件，或本周期内审核验收的文件）"
    if errors:
        raise ValidationError(errors)
    spooled = storedfiles.receive(uploaded_file, kinds=EVIDENCE_KINDS, field="evidence")
    try:
        return _propose(actor, campaign, enterprise, name, uscc, county, reason, explanation, spooled)
    finally:
        spooled.path.unlink(missing_ok=True)


@transaction.atomic
def _propose(actor, campaign, enterprise, name, uscc, county, reason, explanation, spooled) -> Exemption:
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # one live exemption per name: serialize
    live = Exemption.objects.filter(campaign=campaign, name=name).exclude(state=Exemption.State.REJECTED)
    if live.exists():
        raise ValidationError({"name": f"“{name}”已有待审批或已批准的豁免"})
    exemption = Exemption.objects.create(
        campaign=campaign, enterprise=enterprise, uscc=uscc, name=name, county_id=county, reason=reason,
        explanation=explanation, evidence_sm3=spooled.digest, evidence_name=spooled.name,
        evidence_type=spooled.content_type, proposed_by=actor, proposed_at=clock.business_now())
    log_action(actor=actor, action="coverage.exemption.proposed", obj=exemption, data={
        "campaign": campaign.slug, "uscc": uscc, "county": county, "reason": reason,
        "evidence": spooled.digest, "evidence_name": spooled.name})
    storedfiles.store(spooled.path, spooled.digest)
    return exemption


@transaction.atomic
def exemption_decide(*, actor, exemption: Exemption, approve: bool, note: str = "") -> Exemption:
    """The branch leader of the enterprise's county approves or refuses (with a note) a proposal."""
    access.check(actor, "coverage.exemption.decide", exemption)
    exemption = Exemption.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=exemption.pk)
    if actor.agency is None or actor.agency.division_id != exemption.county_id:
        raise PermissionDenied("豁免由企业所在县（市、区）分局负责人审批")
    if exemption.state != Exemption.State.PROPOSED:
        raise InvalidState(f"该豁免{exemption.get_state_display()}，不能再审批", code="decided")
    if exemption.proposed_by_id == actor.pk:
        raise PermissionDenied("提出人不能审批自己提出的豁免")
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "不批准时请填写审批意见"})
    require_current_declaration(actor, "豁免审批")
    before = exemption.state
    exemption.state = Exemption.State.APPROVED if approve else Exemption.State.REJECTED
    exemption.decided_by, exemption.decided_at, exemption.decision_note = actor, clock.business_now(), note
    exemption.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    log_action(actor=actor, action="coverage.exemption." + ("approved" if approve else "rejected"), obj=exemption,
               changes={"state": [before, exemption.state]}, data={"note": note})
    return exemption


@transaction.atomic
def coverage_enrol(*, actor, campaign: Campaign, enterprise: Enterprise, source: str = "",
                   scope_reason: str = ""):
    """Enrol an enterprise the comparison found, through the campaigns enrolment service (which checks
    the county, the basin and duplicates and logs the enrolment); recorded as found by the comparison."""
    access.check(actor, "coverage.enrolment.add", enterprise)
    enrolment = enrolment_save(actor=actor, enrolment=None, campaign=campaign, enterprise=enterprise,
                               data={"mode": AuditMode.SELF, "scope_reason": scope_reason})
    log_action(actor=actor, action="coverage.enrolment.added", obj=enrolment, data={
        "campaign": campaign.slug, "enterprise": enterprise.uscc, "source": source[:100]})
    return enrolment


def coverage_export(*, actor, coverage: Coverage, path, register_name: str = "") -> dict:
    """Write the comparison to `path` (.xlsx); the file appears once the export is logged."""
    access.check(actor, "coverage.report.view")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
    moved = False
    counts = {key: len(items) for key, _, items in coverage.result.sections()}
    try:
        write_workbook(partial, coverage, register_name=register_name)
        digest = sm3_file(partial)
        with transaction.atomic():
            log_action(actor=actor, action="coverage.export.completed", obj=coverage.campaign,
                       data={"counts": counts, "sm3": digest, "register": register_name})
            os.replace(partial, path)
            moved = True
    except BaseException:
        partial.unlink(missing_ok=True)
        if moved:
            path.unlink(missing_ok=True)
        raise
    return counts


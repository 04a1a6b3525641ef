"""Business actions on campaigns and enrolments."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core.errors import PermissionDenied
from cpaudit.core.log import diff, log_action, snapshot
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.registry.industries import level_warning, six_industry_codes
from cpaudit.registry.models import Industry

from .models import AuditMode, Campaign, CampaignCounty, Enrolment

RESERVED_SLUGS = {"new", "enrolments"}
CAMPAIGN_FIELDS = ["slug", "name", "year", "document_number", "notice_title", "notice_number", "notice_issuer",
                   "notice_date", "status", "report_day", "evaluation_deadline", "acceptance_deadline",
                   "fee_threshold", "owner_agency_id", "scope_water_related", "scope_double_only", "scope_note"]
ENROLMENT_FIELDS = ["audit_round", "mode", "consulting_agency_id", "start_date", "end_date", "enterprise_type",
                    "has_deadline_project", "deadline_project_done", "has_violation", "scope_reason"]


def default_deadlines(year: int) -> tuple[dt.date, dt.date]:
    """The seed's hard dates: 评估 by 08-20, 验收 by 11-20 of the campaign year."""
    return dt.date(year, 8, 20), dt.date(year, 11, 20)


def default_industries():
    return Industry.objects.filter(code__in=[code for _, code in six_industry_codes()])


@transaction.atomic
def campaign_save(*, actor, campaign: Campaign | None, data: dict, industries=None,
                  counties: dict[str, bool] | None = None) -> Campaign:
    """Create or change a campaign. `counties` maps county code → in the basin; counties outside the
    actor's jurisdiction are neither added nor removed (a city edits only its own part of the list)."""
    access.check(actor, "campaigns.campaign.change")
    created = campaign is None
    if created:
        campaign = Campaign(owner_agency=getattr(actor, "agency", None))
        before = {}
    else:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        access.check(actor, "campaigns.campaign.change", campaign)
        before = _campaign_state(campaign)
    if "owner_agency_id" in data and not getattr(actor, "is_system", False):
        raise PermissionDenied("制定单位由系统按创建人所属单位确定")
    if created and data.get("slug") in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{data['slug']}”是系统保留字，请换一个批次标识"})
    for key, value in data.items():
        setattr(campaign, key, value)
    if not isinstance(campaign.year, int) or not 2000 <= campaign.year <= 2100:
        raise ValidationError({"year": "年度应在2000至2100之间"})
    evaluation, acceptance = default_deadlines(campaign.year)
    campaign.evaluation_deadline = campaign.evaluation_deadline or evaluation
    campaign.acceptance_deadline = campaign.acceptance_deadline or acceptance
    if campaign.acceptance_deadline < campaign.evaluation_deadline:
        raise ValidationError({"acceptance_deadline": "验收完成期限不能早于评估完成期限"})
    _clean_notice(campaign)
    campaign.full_clean()
    campaign.save()
    if industries is None and created:
        industries = default_industries()
    if industries is not None:
        campaign.industries.set(industries)
    if counties is not None:
        jur = jurisdiction_of(actor)
        outside = [code for code in counties if not jur.covers(code)]
        if outside:
            raise ValidationError({"counties": f"以下县（市、区）不在您的辖区内：{'、'.join(outside)}"})
        mine = [link.pk for link in campaign.county_links.all() if jur.covers(link.county_id)]
        campaign.county_links.filter(pk__in=mine).exclude(county_id__in=list(counties)).delete()
        for code, in_basin in counties.items():
            CampaignCounty.objects.update_or_create(campaign=campaign, county_id=code, defaults={"in_basin": in_basin})
    changes = diff(before, _campaign_state(campaign))
    if changes:
        log_action(actor=actor, action="campaigns.campaign." + ("created" if created else "updated"),
                   obj=campaign, changes=changes)
    return campaign


def _clean_notice(campaign: Campaign) -> None:
    """Reports quote the title between 《》 themselves: brackets typed around it are dropped."""
    title = (campaign.notice_title or "").strip()
    while title[:1] == "《" and title[-1:] == "》":
        title = title[1:-1].strip()
    campaign.notice_title = title
    campaign.notice_number = (campaign.notice_number or "").strip()
    campaign.notice_issuer = (campaign.notice_issuer or "").strip()
    if not title and (campaign.notice_number or campaign.notice_issuer or campaign.notice_date):
        raise ValidationError({"notice_title": "填写了通知的文号、发文单位或日期，请同时填写通知标题"})


def _campaign_state(campaign: Campaign) -> dict:
    state = snapshot(campaign, CAMPAIGN_FIELDS)
    state["industries"] = sorted(campaign.industries.values_list("code", flat=True))
    state["counties"] = {c: b for c, b in campaign.county_links.values_list("county_id", "in_basin")}
    return state


def check_campaign_scope(campaign: Campaign, enterprise, reason: str = "") -> dict:
    """The enterprise's county must be in the campaign's counties; a county outside the basin (in_basin
    False) is out of scope and needs a reason (issue 13). Its registered industry outside the
    campaign's industries is allowed (registered codes often differ from the actual trade) but noted."""
    link = campaign.county_links.filter(county_id=enterprise.county_id).first()
    if link is None:
        raise ValidationError(f"「{enterprise}」所在的{enterprise.county}不在本批次的范围县（市、区）内")
    note = {}
    if not link.in_basin:
        if not (reason or "").strip():
            raise ValidationError({"scope_reason": f"「{enterprise}」所在的{enterprise.county}不在流域范围内，"
                                                   "纳入本批次须填写范围外纳入理由"})
        note["outside_basin"] = enterprise.county_id
    if not campaign.industries.filter(code=enterprise.industry_id).exists():
        note["industry_outside_scope"] = enterprise.industry_id
    # A code coarser than a 小类 cannot tell whether the enterprise is in scope: enrolled, with a warning.
    warning = level_warning(enterprise.industry_id)
    if warning:
        note["industry_level_warning"] = warning
    return note


def _clean_enrolment(enrolment: Enrolment) -> None:
    errors = {}
    if enrolment.mode == AuditMode.ENTRUSTED and not enrolment.consulting_agency_id:
        errors["consulting_agency"] = "委托审核须填写咨询机构名称"
    if enrolment.mode == AuditMode.SELF and enrolment.consulting_agency_id:
        errors["consulting_agency"] = "自审不应填写咨询机构"
    if enrolment.start_date and enrolment.end_date and enrolment.end_date < enrolment.start_date:
        errors["end_date"] = "完成审核时间不能早于开始审核时间"
    if not enrolment.has_deadline_project and enrolment.deadline_project_done is not None:
        enrolment.deadline_project_done = None
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def enrolment_save(*, actor, enrolment: Enrolment | None, campaign: Campaign | None = None,
                   enterprise=None, data: dict) -> Enrolment:
    created = enrolment is None
    if created:
        enrolment = Enrolment(campaign=campaign, enterprise=enterprise)
        before = {}
    else:
        enrolment = Enrolment.objects.select_for_update().select_related("enterprise").get(pk=enrolment.pk)
        before = snapshot(enrolment, ENROLMENT_FIELDS)
    access.check(actor, "campaigns.enrolment.change", enrolment.enterprise)
    if enrolment.campaign.status != Campaign.Status.ACTIVE:
        raise ValidationError("该审核批次已结束，不能再修改名单")
    for key, value in data.items():
        setattr(enrolment, key, value)
    _clean_enrolment(enrolment)
    if enrolment.consulting_agency_id and enrolment.consulting_agency_id != before.get("consulting_agency_id"):
        from cpaudit.assessment.suspensions import refuse_if_suspended

        refuse_if_suspended(enrolment.consulting_agency_id)  # a suspended agency takes no new client
    note = {}
    if created:
        if Enrolment.objects.filter(campaign=enrolment.campaign, enterprise=enrolment.enterprise).exists():
            raise ValidationError("该企业已在本批次名单中")
        note = check_campaign_scope(enrolment.campaign, enrolment.enterprise, enrolment.scope_reason)
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    enrolment.warnings = [note["industry_level_warning"]] if "industry_level_warning" in note else []
    changes = diff(before, snapshot(enrolment, ENROLMENT_FIELDS))
    if changes:
        log_action(actor=actor, action="campaigns.enrolment." + ("created" if created else "updated"),
                   obj=enrolment, changes=changes, data={"campaign": enrolment.campaign.slug,
                                                         "enterprise": enrolment.enterprise.uscc, **note})
    return enrolment

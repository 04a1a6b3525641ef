"""The demo's 应开展未开展 (cpaudit.coverage): of the in-scope 涉水 enterprises the current campaign has
not enrolled, two are exempted through the coverage services — one halted (approved by its branch
leader), one relocated (proposed, waiting for the leader) — each with a PDF as evidence. The rest stay
on the coverage page as 应开展未开展. Idempotent: nothing is done when the campaign has exemptions.
"""

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.coverage import selectors, services
from cpaudit.coverage.models import Exemption
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.registry.models import Enterprise

from .documents import pdf_upload

# The reason the demo's enrolments outside the basin (阜平县、涞源县) were enrolled with.
OUTSIDE_REASON = "企业主动申请开展清洁生产审核（演示）"
PLAN = [  # (reason, explanation, approved)
    (Exemption.Reason.HALTED, "该企业已于上年停产，生产设施已断电封存，经现场核实（演示）", True),
    (Exemption.Reason.RELOCATED, "该企业已整体搬迁出流域范围，原厂址已无生产活动（演示）", False),
]


def load_coverage(campaign: Campaign) -> int:
    if Exemption.objects.filter(campaign=campaign).exists():
        return 0
    staff = {u.agency.division_id: u for u in User.objects.filter(
        role=Role.BRANCH_STAFF, is_demo=True, is_active=True, is_inspector=False).select_related("agency")}
    leaders = {u.agency.division_id: u for u in User.objects.filter(
        role=Role.BRANCH_LEADER, is_demo=True, is_active=True).select_related("agency")}
    found = selectors.coverage(SystemActor("load-demo"), campaign, today=clock.today(), use_latest_register=False)
    candidates = [i for i in found.result.missing if i.enterprise_id and i.county in staff and i.county in leaders]
    made = 0
    for (reason, explanation, approved), item in zip(PLAN, candidates, strict=False):
        enterprise = Enterprise.objects.get(pk=item.enterprise_id)
        exemption = services.exemption_propose(
            actor=staff[item.county], campaign=campaign, enterprise=enterprise, name=item.name, county=item.county,
            reason=reason, explanation=explanation,
            uploaded_file=pdf_upload(f"豁免证明-{enterprise.uscc}.pdf", f"{enterprise.name}情况说明（演示）",
                                     [explanation]))
        if approved:
            services.exemption_decide(actor=leaders[item.county], exemption=exemption, approve=True,
                                      note="经核实，同意豁免（演示）")
        made += 1
    return made


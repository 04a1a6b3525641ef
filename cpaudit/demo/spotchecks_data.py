"""The demo's spot checks (双随机、一公开), through the spotchecks services as the people would act:

- five inspectors flagged by a colleague of their own agency (jx_inspector, qy_staff, ax_staff,
  dz_staff, bd_staff);
- the province's plan (hb_staff: 5 %, enterprises behind schedule or stalled 10 %, two inspectors each,
  at least one from another county, drawn from the subordinate agencies' inspectors), drawn two weeks
  ago for a check a week ago; the inspectors' findings (one enterprise's figures found untrue, with a
  photo), one rectification task opened on it, the results approved by hb_leader: public;
- 保定's plan for its own counties, drawn today for a check next week: its list is seen only by 保定's
  people until then.

Idempotent: nothing is done when the campaign already has a plan.
"""

import datetime as dt

from cpaudit.core import clock
from cpaudit.org.models import User
from cpaudit.spotchecks import services
from cpaudit.spotchecks.models import Inspector, Plan

from .documents import pdf_upload

# (inspector, the colleague who flags them)
INSPECTORS = [("jx_inspector", "jx_staff"), ("qy_staff", "qy_leader"), ("ax_staff", "ax_leader"),
              ("dz_staff", "dz_leader"), ("bd_staff", "bd_leader")]
CLEAN = {"options": ("conform", "现场核实方案已实施"), "figures": ("conform", ""), "equipment": ("conform", "")}
PROBLEM = {"options": ("conform", "方案已实施"), "figures": ("nonconform", "填报的节水量与水表台账不符（演示）"),
           "equipment": ("conform", "")}


def _users() -> dict[str, User]:
    names = {n for pair in INSPECTORS for n in pair} | {"hb_staff", "hb_leader", "bd_staff"}
    return {u.username: u for u in User.objects.filter(username__in=names, is_demo=True, is_active=True)
            .select_related("agency")}


def load_spotchecks(campaign, today: dt.date) -> int:
    """Load the demo's spot checks; returns the number of plans made."""
    if Plan.objects.filter(campaign=campaign).exists():
        return 0
    with clock.frozen(today):
        return _load(campaign, today)


def _load(campaign, today: dt.date) -> int:
    people = _users()
    for name, colleague in INSPECTORS:
        if name in people and colleague in people and not Inspector.objects.filter(user=people[name]).exists():
            services.inspector_set(actor=people[colleague], user=people[name], active=True, note="演示数据")
    with clock.frozen(today - dt.timedelta(days=14)):
        plan = services.plan_save(actor=people["hb_staff"], campaign=campaign, data={
            "title": f"{campaign.year}年清洁生产审核双随机抽查（第一批）", "counties": _counties(campaign),
            "share_percent": "5", "strata": {"late": "10"}, "per_enterprise": 2, "cross_county": True,
            "include_subordinates": True, "check_date": today - dt.timedelta(days=7)})
        plan = services.plan_draw(actor=people["hb_staff"], plan=plan)
    items = list(plan.items.order_by("order"))
    # The problem is found at an enterprise with a demo account when one was drawn (it answers the task).
    with_account = set(User.objects.filter(enterprise_id__in=[i.enterprise_id for i in items], is_active=True)
                       .values_list("enterprise_id", flat=True))
    problem = next((n for n, i in enumerate(items) if i.enterprise_id in with_account), 0)
    for n, item in enumerate(items):
        inspector = item.assignments.order_by("order").first().inspector
        services.findings_record(actor=inspector, item=item, results=PROBLEM if n == problem else CLEAN,
                                 summary="抽查发现数据不实，责令整改" if n == problem else "未发现问题")
        if n == problem:
            services.evidence_upload(actor=inspector, item=item, uploaded_file=pdf_upload(
                "现场检查记录.pdf", "现场检查记录（演示）", ["企业用水台账与填报的节水量不符"]))
            services.rectification_open(actor=inspector, item=item, deadline=today + dt.timedelta(days=30),
                                        requirement="核实并更正节水量数据，补齐水表台账，报分局核查（演示）")
    services.plan_approve(actor=people["hb_leader"], plan=plan, note="同意公开（演示）")
    city = people["bd_staff"]
    counties = [c for c in _counties(campaign) if _covers(city, c)]
    upcoming = services.plan_save(actor=city, campaign=campaign, data={
        "title": f"{campaign.year}年保定市双随机抽查", "counties": counties, "share_percent": "5", "per_enterprise": 2,
        "include_subordinates": True, "check_date": today + dt.timedelta(days=7)})
    services.plan_draw(actor=city, plan=upcoming)
    return 2


def _counties(campaign) -> list[str]:
    return sorted(campaign.county_links.values_list("county_id", flat=True))


def _covers(user, county: str) -> bool:
    from cpaudit.org.jurisdiction import jurisdiction_of

    return jurisdiction_of(user).covers(county)

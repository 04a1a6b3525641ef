"""The roll-up of applications per campaign: 评估 (by the evaluation deadline) and 验收 (by the
acceptance deadline) side by side, per county for a branch or a city, per city level for the province
(selectors.summary). Every number links to the index filtered to the applications it counts. A fixed
number of queries whatever the number of applications."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.org.roles import PROVINCE_ROLES

from . import selectors
from .forms import SummaryForm
from .models import Kind
from .views import campaigns_of

# column → (label, the index's status filter, late only)
COLUMNS = [
    ("applied", "已申请", "applied", False), ("drafting", "填报中", "drafting", False),
    ("in_review", "审核中", "in_review", False), ("returned", "已退回", "returned", False),
    ("passed", "通过", "passed", False), ("failed", "未通过", "failed", False),
    ("pending", "未出结论", "pending", False), ("late", "逾期", "applied", True),
]


def _link(base: str, params: dict) -> str:
    return f"{base}?{urlencode({k: v for k, v in params.items() if v})}"


def _cells(counts, base, params) -> list[dict]:
    return [{"value": getattr(counts, key), "href": _link(base, {**params, "status": status, "late": "on" if late else ""})}
            for key, _, status, late in COLUMNS]


def _phase(user, campaign, kind, today, province: bool) -> dict:
    data = selectors.summary(user, campaign, kind, today)
    base = reverse("applications:index")
    common = {"campaign": campaign.slug, "kind": kind}
    unit_key = "city" if province else "county"
    rows = [{"name": row.name, "cells": _cells(row.counts, base, {**common, unit_key: row.code})}
            for row in data.rows]
    return {"kind": kind, "label": Kind(kind).label, "deadline": data.deadline, "days": (data.deadline - today).days,
            "group_label": data.group_label, "rows": rows, "total": _cells(data.total, base, common),
            # The same results as submitted documents, level by level (cpaudit.reports.results).
            "results_url": reverse("reports:results_list", args=[campaign.slug, kind])
            if access.allowed(user, "reports.results.view") else ""}


@domain_view
def summary(request):
    user = request.user
    access.check(user, "applications.summary.view")
    today = clock.today()
    campaigns = list(campaigns_of(user))
    form = SummaryForm(request.GET or None, campaigns=campaigns)
    if form.is_bound and form.is_valid():
        campaign = next(c for c in campaigns if c.slug == form.cleaned_data["campaign"])
    else:
        campaign = next((c for c in campaigns if c.status == Campaign.Status.ACTIVE), campaigns[0] if campaigns else None)
        form = SummaryForm(initial={"campaign": campaign.slug if campaign else ""}, campaigns=campaigns)
    province = getattr(user, "role", None) in PROVINCE_ROLES
    phases = [_phase(user, campaign, kind, today, province) for kind in Kind.values] if campaign else []
    return render(request, "applications/summary.html", {
        "form": form, "campaign": campaign, "phases": phases, "columns": [label for _, label, _, _ in COLUMNS],
        "today": today})

"""应开展未开展 pages: the campaigns, one campaign's comparison for the user's jurisdiction (with a
county filter), the register import, enrolling from the list, exemptions and their evidence."""

import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.campaigns.models import Campaign
from cpaudit.core import clock, storedfiles
from cpaudit.core.errors import DomainError, InvalidState
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access
from cpaudit.org.jurisdiction import jurisdiction_of
from cpaudit.registry.models import Enterprise

from . import selectors, services
from .forms import CountyFilterForm, DecisionForm, ExemptionForm, RegisterForm
from .models import Exemption


@domain_view
def index(request):
    access.check(request.user, "coverage.report.view")
    campaigns = access.scope(request.user, Campaign.objects.all()).order_by("-year", "slug")
    return render(request, "coverage/index.html", {"campaigns": campaigns})


@domain_view
def campaign_coverage(request, slug):
    access.check(request.user, "coverage.report.view")
    campaign = selectors.campaign_for(request.user, slug)
    found = selectors.coverage(request.user, campaign, today=clock.today())
    names = found.counties
    mine = {c: n for c, n in names.items() if jurisdiction_of(request.user).covers(c)}
    form = CountyFilterForm(request.GET or None, counties=mine)
    county = form.cleaned_data["county"] if form.is_valid() else ""
    sections = []
    for key, label, items in found.result.sections():
        shown = [i for i in items if not county or i.county == county or (key == "needs_person" and not i.county)]
        for item in shown:
            item.county_name = names.get(item.county, "")
        sections.append({"key": key, "label": label, "items": shown})
    by_county = _by_county(found.result, mine)
    user = request.user
    active = campaign.status == Campaign.Status.ACTIVE
    return render(request, "coverage/campaign.html", {
        "campaign": campaign, "found": found, "sections": sections, "form": form, "names": names,
        "by_county": by_county if len(mine) > 1 else [],
        "scope": selectors.scope_of(campaign), "register_form": RegisterForm(),
        "can_import": active and access.allowed(user, "coverage.register.import"),
        "can_enrol": active and access.allowed(user, "coverage.enrolment.add"),
        "can_propose": active and access.allowed(user, "coverage.exemption.propose"),
        "can_register": access.allowed(user, "registry.enterprise.create"),
    })


def _by_county(result, counties: dict[str, str]) -> list[dict]:
    """Per county of the user's jurisdiction, how many of each list (for a city or the province)."""
    keys = [key for key, _, _ in result.sections()]
    rows = {code: {"code": code, "name": name, "counts": dict.fromkeys(keys, 0)} for code, name in sorted(counties.items())}
    for key, _, items in result.sections():
        for item in items:
            if item.county in rows:
                rows[item.county]["counts"][key] += 1
    return [{**row, "counts": [row["counts"][k] for k in keys]} for row in rows.values()]


@require_POST
@domain_view
def export(request, slug):
    access.check(request.user, "coverage.report.view")
    campaign = selectors.campaign_for(request.user, slug)
    found = selectors.coverage(request.user, campaign, today=clock.today())
    name = found.register.filename if found.register else ""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "coverage.xlsx"
        services.coverage_export(actor=request.user, coverage=found, path=path, register_name=name)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=storedfiles.XLSX)
    filename = f"应开展未开展-{campaign.slug}-{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_POST
@domain_view
def register_import(request, slug):
    access.check(request.user, "coverage.register.import")
    campaign = selectors.campaign_for(request.user, slug)
    form = RegisterForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的外部名录（.xlsx）")
        return redirect("coverage:campaign", slug=campaign.slug)
    upload = form.cleaned_data["file"]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            register, read = services.register_import(actor=request.user, campaign=campaign, path=tmp.name,
                                                      filename=upload.name)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("coverage:campaign", slug=campaign.slug)
    if register is None:
        for error in read.errors:
            messages.error(request, f"外部名录无法对照：{error}")
    else:
        unmapped = sum(1 for r in read.rows if r.problems)
        messages.success(request, f"已导入外部名录“{register.filename}”{len(read.rows)}行，其中{unmapped}行需人工核定")
    return redirect("coverage:campaign", slug=campaign.slug)


@require_POST
@domain_view
def enrol(request, slug, pk):
    access.check(request.user, "coverage.enrolment.add")
    campaign = selectors.campaign_for(request.user, slug)
    enterprise = access.get_in_scope(request.user, Enterprise.objects.select_related("county"), pk=pk)
    try:
        services.coverage_enrol(actor=request.user, campaign=campaign, enterprise=enterprise,
                                source=request.POST.get("source", ""),
                                scope_reason=request.POST.get("scope_reason", ""))
    except (ValidationError, InvalidState) as exc:
        text = exc.message if isinstance(exc, InvalidState) else "；".join(exc.messages)
        messages.error(request, f"未能纳入「{enterprise.name}」：{text}")
    else:
        messages.success(request, f"已将「{enterprise.name}」纳入{campaign.name}")
    return redirect("coverage:campaign", slug=campaign.slug)


@domain_view
def exemption_create(request, slug):
    access.check(request.user, "coverage.exemption.propose")
    campaign = selectors.campaign_for(request.user, slug)
    counties = {c: n for c, n in selectors.county_names(campaign).items()
                if jurisdiction_of(request.user).covers(c)}
    enterprise = None
    if request.GET.get("enterprise", "").isdigit():
        enterprise = access.get_in_scope(request.user, Enterprise.objects.all(), pk=int(request.GET["enterprise"]))
    initial = {}
    if enterprise is not None:
        initial = {"name": enterprise.name, "uscc": enterprise.uscc, "county": enterprise.county_id}
    else:
        initial = {k: request.GET[k] for k in ("name", "uscc", "county") if request.GET.get(k)}
    form = ExemptionForm(request.POST or None, request.FILES or None, counties=counties, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exemption = services.exemption_propose(
                actor=request.user, campaign=campaign, enterprise=enterprise, name=data["name"], uscc=data["uscc"],
                county=data["county"], reason=data["reason"], explanation=data["explanation"],
                uploaded_file=data["evidence"])
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已提出豁免，待企业所在县（市、区）分局负责人审批")
            return redirect("coverage:exemption_detail", pk=exemption.pk)
    return render(request, "coverage/exemption_form.html", {"campaign": campaign, "form": form,
                                                            "enterprise": enterprise})


@domain_view
def exemption_detail(request, pk):
    access.check(request.user, "coverage.report.view")
    exemption = access.get_in_scope(request.user, Exemption.objects.select_related(
        "campaign", "county", "proposed_by", "decided_by", "enterprise"), pk=pk)
    can_decide = (exemption.state == Exemption.State.PROPOSED
                  and access.allowed(request.user, "coverage.exemption.decide"))
    form = DecisionForm(request.POST or None) if can_decide else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.exemption_decide(actor=request.user, exemption=exemption,
                                      approve=request.POST.get("decision") == "approve",
                                      note=form.cleaned_data["note"])
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已审批")
            return redirect("coverage:exemption_detail", pk=exemption.pk)
    return render(request, "coverage/exemption_detail.html", {"exemption": exemption, "form": form})


@domain_view
def exemption_evidence(request, pk):
    access.check(request.user, "coverage.report.view")
    exemption = access.get_in_scope(request.user, Exemption.objects.all(), pk=pk)
    try:
        handle = storedfiles.open_stored(exemption.evidence_sm3, "证明材料")
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    return FileResponse(handle, as_attachment=True, filename=exemption.evidence_name,
                        content_type=exemption.evidence_type)

"""Options (清洁生产方案) of an enrolment with their benefits, and the baseline / after-implementation
figures. Everyone who sees the enrolment sees its options and figures; the enterprise (or its engaged
consulting agency) records them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from .. import steps
from ..forms_options import FiguresForm, OptionForm, ProductFormSet, products_initial
from ..models import BENEFITS, Figures, Option, ProductOutput
from ..selectors.consistency import consistency_flags
from ..services import rollups
from ..services.figures import FIGURES, figures_save, per_unit
from ..services.options import option_save, plain

KIND_NOTES = {
    Figures.Kind.BASELINE: "预审核与审核阶段（步骤5–7、12–13）记录的审核基准年数据",
    Figures.Kind.AFTER: "方案实施阶段（步骤30）验证的方案实施后数据，与基准年数据对比",
}


def _enrolment(request, pk) -> Enrolment:
    access.check(request.user, "progress.step.view")
    return access.get_in_scope(request.user, Enrolment.objects.select_related("campaign", "enterprise", "consulting_agency"),
                                 pk=pk)


def _check_change(user, action: str, enrolment: Enrolment) -> None:
    access.check(user, action, enrolment)
    if enrolment.campaign.status != Campaign.Status.ACTIVE:
        raise PermissionDenied(f"审核批次「{enrolment.campaign.name}」已结束，数据只读")


def _can(user, action: str, enrolment: Enrolment) -> bool:
    return access.allowed(user, action) and enrolment.campaign.status == Campaign.Status.ACTIVE


def flag_texts(option: Option) -> list[str]:
    texts = []
    for flag in option.flags or []:
        if flag.get("expected") in ("", "0", None):
            texts.append(f"{flag['label']}：未填写预期效益，实际为{flag['achieved']}，请核实")
        else:
            texts.append(f"{flag['label']}：实际效益超过预期{flag['factor']}倍，请核实"
                         f"（预期{flag['expected']}，实际{flag['achieved']}）")
    return texts


def _benefit_lines(option: Option) -> list[dict]:
    lines = []
    for suffix, label in BENEFITS:
        expected, achieved = getattr(option, f"expected_{suffix}"), getattr(option, f"achieved_{suffix}")
        if expected is None and achieved is None:
            continue
        if suffix == "other_t" and option.other_pollutant:
            label = f"{label}·{option.other_pollutant}"
        lines.append({"label": label, "expected": plain(expected) or "—", "achieved": plain(achieved) or "—"})
    return lines


def _figures_of(enrolment: Enrolment) -> dict:
    """kind → {figures, per_unit, rows} for both kinds; two queries."""
    found = {f.kind: f for f in Figures.objects.filter(enrolment=enrolment).prefetch_related(
        Prefetch("products", queryset=ProductOutput.objects.order_by("pk")))}
    result = {}
    for kind, label in Figures.Kind.choices:
        figures = found.get(kind)
        derived = per_unit(figures)
        rows = []
        if figures is not None:
            for name, figure_label, unit in FIGURES:
                rows.append({"label": f"{figure_label}（{unit}）", "value": plain(getattr(figures, name)) or "—",
                             "per_unit": plain(derived[name].value) or "—", "per_unit_unit": derived[name].unit})
        result[kind] = {"kind": kind, "label": label, "figures": figures, "rows": rows,
                        "investment": plain(getattr(figures, "implemented_investment_wan", None)) or "",
                        "products": [{"name": p.name, "unit": p.unit, "quantity": plain(p.quantity) or "—"}
                                     for p in (figures.products.all() if figures else [])], "note": KIND_NOTES[kind]}
    return result


@domain_view
def option_list(request, pk):
    enrolment = _enrolment(request, pk)
    options = list(access.scope(request.user, Option.objects.filter(enrolment=enrolment)).order_by("pk"))
    for option in options:
        option.flag_texts = flag_texts(option)
        option.benefit_lines = _benefit_lines(option)
        option.step = steps.step(option.source_step_id) if option.source_step_id else None
        option.investment_text = plain(option.investment)
    totals = rollups.benefit_totals(access.scope(request.user, Option.objects.filter(enrolment=enrolment)))
    for row in totals["benefits"]:
        row["expected_text"] = plain(row["expected"])
        row["expected_implemented_text"] = plain(row["expected_implemented"])
        row["achieved_text"] = plain(row["achieved"])
    figures = _figures_of(enrolment)
    return render(request, "progress/option_list.html", {
        "enrolment": enrolment, "options": options, "totals": totals,
        "investment_text": plain(totals["investment"]),
        "investment_implemented_text": plain(totals["investment_implemented"]),
        "figures": list(figures.values()),
        "consistency": consistency_flags(enrolment),
        "flag_count": sum(1 for o in options if o.flags),
        "factor": plain(enrolment.campaign.benefit_flag_factor),
        "threshold": plain(enrolment.campaign.fee_threshold),
        "can_change": _can(request.user, "progress.option.change", enrolment),
        "can_figures": _can(request.user, "progress.figures.change", enrolment),
        "closed": enrolment.campaign.status != Campaign.Status.ACTIVE,
    })


def _option_form(request, enrolment: Enrolment, option: Option | None):
    campaign = enrolment.campaign
    form = OptionForm(request.POST or None, campaign=campaign, option=option)
    if request.method == "POST" and form.is_valid():
        try:
            saved = option_save(actor=request.user, enrolment=enrolment, option=option, data=form.service_data())
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            note = "；".join(flag_texts(saved))
            messages.success(request, f"已保存方案：{saved.name}" + (f"。{note}" if note else ""))
            return redirect("progress:option_list", enrolment.pk)
    return render(request, "progress/option_form.html", {
        "form": form, "enrolment": enrolment, "option": option,
        "title": f"修改方案：{option.name}" if option else "新增清洁生产方案",
        "threshold": plain(campaign.fee_threshold),
        "flag_texts": flag_texts(option) if option else [],
    })


@domain_view
def option_create(request, pk):
    enrolment = _enrolment(request, pk)
    _check_change(request.user, "progress.option.change", enrolment)
    return _option_form(request, enrolment, None)


@domain_view
def option_edit(request, pk):
    access.check(request.user, "progress.step.view")
    option = access.get_in_scope(request.user, Option.objects.select_related("enrolment__campaign",
                                                                             "enrolment__enterprise"), pk=pk)
    _check_change(request.user, "progress.option.change", option.enrolment)
    return _option_form(request, option.enrolment, option)


@domain_view
def figures_edit(request, pk, kind):
    if kind not in Figures.Kind.values:
        raise Http404("数据类别不存在")
    enrolment = _enrolment(request, pk)
    _check_change(request.user, "progress.figures.change", enrolment)
    current = _figures_of(enrolment)[kind]
    figures = current["figures"]
    form = FiguresForm(request.POST or None, initial=FiguresForm.initial_from(figures),
                       after=kind == Figures.Kind.AFTER)
    formset = ProductFormSet(request.POST or None, initial=products_initial(figures), prefix="products")
    product_errors = []
    if request.method == "POST":
        valid = form.is_valid()
        valid = formset.is_valid() and valid
        if valid:
            products = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                figures_save(actor=request.user, enrolment=enrolment, kind=kind, data=form.cleaned_data,
                             products=products)
            except InvalidState as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "products" in exc.error_dict:
                    product_errors = [m for e in exc.error_dict.pop("products") for m in e.messages]
                if not hasattr(exc, "error_dict") or exc.error_dict:
                    add_validation_errors(form, exc)
            else:
                messages.success(request, f"已保存{Figures.Kind(kind).label}数据")
                return redirect("progress:figures_edit", pk=enrolment.pk, kind=kind)
    return render(request, "progress/figures_form.html", {
        "form": form, "formset": formset, "product_errors": product_errors, "enrolment": enrolment,
        "kind": kind, "kind_label": Figures.Kind(kind).label, "current": current,
        "title": f"{Figures.Kind(kind).label}数据：{enrolment.enterprise.name}",
    })

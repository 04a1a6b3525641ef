"""Registry pages. Views parse input, call a selector or a service, and render."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cpaudit.campaigns.models import Campaign
from cpaudit.core.pagecache import cached_page
from cpaudit.core.uploads import limit_megabytes, upload_too_large
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.jobs.services import enqueue, job_dir
from cpaudit.org import access

from . import industries, selectors, services
from .forms import (
    NATURE_SUGGESTIONS,
    ConsultingAgencyForm,
    DivisionAliasForm,
    EnterpriseContactForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    ImportForm,
)
from .models import ConsultingAgency
from .story import story


@domain_view
@cached_page("registry.enterprise.view")
def enterprise_list(request):
    access.check(request.user, "registry.enterprise.view")
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    enterprises = selectors.enterprise_list(request.user, filters)
    page = Paginator(enterprises, settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/enterprise_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "breakdown": selectors.enterprise_breakdown(enterprises), "filter_query": _without(query, "group", "industry"),
        "can_aliases": access.allowed(request.user, "registry.divisionalias.view"),
        "can_create": access.allowed(request.user, "registry.enterprise.create"),
        "can_import": access.allowed(request.user, "registry.enterprise.import"),
        "can_export": access.allowed(request.user, "registry.enterprise.export"),
    })


def _without(query, *keys) -> str:
    """The list's query string without `keys` (for the breakdown's links, which set them)."""
    rest = query.copy()
    for key in keys:
        rest.pop(key, None)
    return rest.urlencode()


@domain_view
def enterprise_detail(request, pk):
    access.check(request.user, "registry.enterprise.view")
    enterprise = selectors.enterprise_detail(request.user, pk)
    enrolments = list(access.scope(request.user, enterprise.enrolments.select_related("campaign", "consulting_agency"))
                      .order_by("-campaign__year", "pk"))
    return render(request, "registry/enterprise_detail.html", {
        **story(request.user, enterprise, enrolments),  # the whole story: steps, options, applications, reports, log
        "e": enterprise, "enrolments": enrolments, "scope_group": industries.scope_group(enterprise.industry),
        "level_warning": industries.level_warning(enterprise.industry),
        "can_edit": access.allowed(request.user, "registry.enterprise.change_contact"),
    })


def _save_enterprise(request, form, enterprise=None):
    try:
        if enterprise is None:
            return services.enterprise_create(actor=request.user, data=form.service_data())
        return services.enterprise_update(actor=request.user, enterprise=enterprise, data=form.service_data())
    except ValidationError as exc:
        add_validation_errors(form, exc)
    except IntegrityError:
        form.add_error("uscc", "该统一社会信用代码已登记")
    return None


def _warn_level(request, enterprise) -> None:
    warning = industries.level_warning(enterprise.industry_id)
    if warning:
        messages.warning(request, warning)


@domain_view
def enterprise_create(request):
    access.check(request.user, "registry.enterprise.create")
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        enterprise = _save_enterprise(request, form)
        if enterprise:
            messages.success(request, f"已新增企业：{enterprise.name}")
            _warn_level(request, enterprise)
            return redirect("registry:enterprise_detail", enterprise.pk)
    return render(request, "registry/enterprise_form.html", {"form": form, "title": "新增企业",
                                                              "natures": NATURE_SUGGESTIONS})


@domain_view
def enterprise_edit(request, pk):
    access.check(request.user, "registry.enterprise.view")
    enterprise = selectors.enterprise_detail(request.user, pk)
    access.check(request.user, "registry.enterprise.change_contact", enterprise)
    full = access.allowed(request.user, "registry.enterprise.change")
    form_class = EnterpriseForm if full else EnterpriseContactForm
    form = form_class(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_enterprise(request, form, enterprise)
        if saved:
            messages.success(request, "已保存")
            _warn_level(request, saved)
            return redirect("registry:enterprise_detail", enterprise.pk)
        enterprise.refresh_from_db()
    return render(request, "registry/enterprise_form.html", {"form": form, "title": f"修改：{enterprise.name}",
                                                              "natures": NATURE_SUGGESTIONS, "e": enterprise})


@domain_view
def enterprise_export(request):
    access.check(request.user, "registry.enterprise.export")
    if request.method != "POST":
        return redirect("registry:enterprise_list")
    filters = {k: v for k, v in request.POST.items() if k in {"q", "county", "industry", "group", "level",
                                                              "management_level", "water_related", "sort"}}
    job = enqueue(kind="registry.export", params={"user_id": request.user.pk, "filters": filters},
                  user=request.user)
    return redirect("jobs:job_detail", job.pk)


@domain_view
def enterprise_import(request):
    access.check(request.user, "registry.enterprise.import")
    campaigns = access.scope(request.user, Campaign.objects.filter(status=Campaign.Status.ACTIVE))
    form = ImportForm(request.POST or None, request.FILES or None, campaigns=campaigns)
    upload_error = ""
    if request.method == "POST" and upload_too_large(request):
        form = ImportForm(campaigns=campaigns)
        upload_error = f"文件过大（上限 {limit_megabytes()} MB），未导入"
    elif request.method == "POST" and form.is_valid():
        # The size limit was enforced while the file arrived (core.uploads.SizeLimitedUploadHandler).
        upload = form.cleaned_data["file"]
        content = upload.read()
        digest = hashlib.new("sm3", content).hexdigest()
        path = job_dir() / f"upload-{digest}.xlsx"
        path.write_bytes(content)
        job = enqueue(kind="registry.import", user=request.user, params={
            "path": str(path), "campaign": form.cleaned_data["campaign"] or None,
            "dry_run": form.cleaned_data["dry_run"], "user_id": request.user.pk, "filename": upload.name,
        })
        return redirect("jobs:job_detail", job.pk)
    return render(request, "registry/enterprise_import.html", {"form": form, "upload_error": upload_error})


@domain_view
def enterprise_template(request):
    access.check(request.user, "registry.enterprise.import")
    from .excel.template import build_template

    response = HttpResponse(build_template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@domain_view
def consulting_list(request):
    access.check(request.user, "registry.consultingagency.view")
    return render(request, "registry/consulting_list.html", {
        "agencies": selectors.consulting_list(request.user),
        "can_change": access.allowed(request.user, "registry.consultingagency.change"),
    })


def _consulting_form(request, agency):
    access.check(request.user, "registry.consultingagency.change")
    initial = {"industry_codes": ", ".join(agency.industries.values_list("code", flat=True))} if agency else None
    form = ConsultingAgencyForm(request.POST or None, instance=agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "industry_codes"}
        try:
            services.consulting_agency_save(actor=request.user, agency=agency, data=data,
                                            industries=form.cleaned_data["industry_codes"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except IntegrityError:
            form.add_error(None, "名称或统一社会信用代码已登记")
        else:
            messages.success(request, "已保存咨询机构")
            return redirect(reverse("registry:consulting_list"))
    return render(request, "registry/consulting_form.html", {"form": form, "agency": agency})


@domain_view
def consulting_create(request):
    return _consulting_form(request, None)


@domain_view
def consulting_edit(request, pk):
    access.check(request.user, "registry.consultingagency.view")
    agency = access.get_in_scope(request.user, ConsultingAgency.objects.all(), pk=pk)
    return _consulting_form(request, agency)


# --- zone → county aliases ----------------------------------------------------------------------------

@domain_view
def alias_list(request):
    access.check(request.user, "registry.divisionalias.view")
    return render(request, "registry/alias_list.html", {
        "aliases": selectors.alias_list(request.user),
        "can_change": access.allowed(request.user, "registry.divisionalias.change"),
    })


def _alias_form(request, record):
    form = DivisionAliasForm(request.POST or None, instance=record, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if record is None:
                services.division_alias_create(actor=request.user, **form.service_data())
            else:
                services.division_alias_update(actor=request.user, record=record, data=form.service_data())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已保存区划别名")
            return redirect("registry:alias_list")
    return render(request, "registry/alias_form.html", {"form": form, "record": record})


@domain_view
def alias_create(request):
    access.check(request.user, "registry.divisionalias.change")
    return _alias_form(request, None)


@domain_view
def alias_edit(request, pk):
    access.check(request.user, "registry.divisionalias.view")
    record = selectors.alias_detail(request.user, pk)
    access.check(request.user, "registry.divisionalias.change", record)
    return _alias_form(request, record)


@domain_view
def alias_delete(request, pk):
    access.check(request.user, "registry.divisionalias.view")
    record = selectors.alias_detail(request.user, pk)
    access.check(request.user, "registry.divisionalias.change", record)
    if request.method == "POST":
        services.division_alias_delete(actor=request.user, record=record)
        messages.success(request, f"已删除区划别名“{record.alias}”")
    return redirect("registry:alias_list")

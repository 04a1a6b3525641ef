"""The branch's and the city's written applications (书面申请): the leader picks a campaign and kind,
ticks the waiting applications, keeps or edits the title and letter, and submits (services.batch_submit);
the list and one batch (its letter, its enterprises, downloads). Batches are scoped like reports: a
unit sees its own, a city its branches', the province all (404 outside)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from cpaudit.campaigns.models import Campaign
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import domain_view
from cpaudit.org import access

from . import services
from .forms import BatchForm, BatchPickForm
from .models import Batch, Kind
from .services.basis import seen_tokens
from .views import campaigns_of


def _pick(request, campaigns):
    """The campaign and kind being batched: from the GET picker, else the active campaign and 评估."""
    form = BatchPickForm(request.GET or None, campaigns=campaigns)
    if form.is_bound and form.is_valid():
        slug, kind = form.cleaned_data["campaign"], form.cleaned_data["kind"]
    else:
        active = next((c for c in campaigns if c.status == Campaign.Status.ACTIVE), campaigns[0] if campaigns else None)
        slug, kind = (active.slug if active else ""), Kind.EVALUATION
        form = BatchPickForm(initial={"campaign": slug, "kind": kind}, campaigns=campaigns)
    return form, slug, kind


@domain_view
def batch_new(request):
    user = request.user
    access.check(user, "applications.batch.submit")
    campaigns = list(campaigns_of(user))
    pick, slug, kind = _pick(request, campaigns)
    if request.method == "POST":
        slug, kind = request.POST.get("campaign", ""), request.POST.get("kind", "")
    campaign = next((c for c in campaigns if c.slug == slug), None)
    waiting = services.waiting(user, campaign, kind) if campaign and kind in Kind.values else []
    title = services.default_title(user.agency, campaign, kind) if campaign and kind in Kind.values else ""
    letter = (services.default_letter(user.agency, campaign, kind, len(waiting))
              if campaign and kind in Kind.values else "")
    if request.method == "POST":
        form = BatchForm(request.POST, waiting=waiting)
        if form.is_valid() and campaign is None:
            form.add_error(None, "请选择审核批次")
        elif form.is_valid():
            data = form.cleaned_data
            # The default letter names how many enterprises it covers: rebuilt for the ones ticked.
            body = "" if data["letter"].strip() == letter.strip() else data["letter"]
            try:
                batch = services.batch_submit(actor=user, campaign=campaign, kind=data["kind"],
                                              applications=[int(pk) for pk in data["applications"]],
                                              title=data["title"], letter=body, seen=form.seen())
            except (InvalidState, ValidationError) as exc:
                messages.error(request, exc.message if isinstance(exc, InvalidState) else "；".join(exc.messages))
            else:
                messages.success(request, f"已报送{batch.title}（{len(data['applications'])}家企业）")
                return redirect("applications:batch_detail", batch.pk)
    else:
        form = BatchForm(initial={"campaign": slug, "kind": kind, "title": title, "letter": letter,
                                  "applications": [str(a.pk) for a in waiting]}, waiting=waiting,
                         seen=seen_tokens(waiting))
    return render(request, "applications/batch_new.html", {
        "pick": pick, "form": form, "waiting": waiting, "campaign": campaign, "kind_label": Kind(kind).label
        if kind in Kind.values else "", "recipient": user.agency.supervisor if user.agency else None})


@domain_view
def batch_list(request):
    user = request.user
    access.check(user, "applications.batch.view")
    batches = access.scope(user, Batch.objects.select_related("agency", "recipient", "campaign", "submitted_by")
                           ).order_by("-submitted_at", "-pk")
    page = Paginator(batches, settings.CPAUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "applications/batch_list.html", {
        "page": page, "query": "",
        "can_submit": access.allowed(user, "applications.batch.submit")})


@domain_view
def batch_detail(request, pk):
    user = request.user
    access.check(user, "applications.batch.view")
    batch = access.get_in_scope(user, Batch.objects.select_related("agency", "recipient", "campaign",
                                                                   "submitted_by"), pk=pk)
    return render(request, "applications/batch_detail.html", {
        "batch": batch, "content": batch.content, "items": batch.content.get("items", []),
        "formats": ("docx", "pdf")})

"""个人履职记录: the audit administrator and a person's supervising level choose an official (or an
expert) and see every decision, return, reopening and override they made; exportable as .xlsx."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cpaudit.core import clock, logdisplay
from cpaudit.core.views import domain_view
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.security import events

from . import officials as record
from . import selectors
from .forms import OfficialSearchForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@domain_view
def official_list(request):
    access.check(request.user, "oversight.official.view")
    form = OfficialSearchForm(request.GET or None)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    return render(request, "oversight/official_list.html", {
        "form": form, "people": selectors.officials(request.user, text)[:200]})


def _person(request, pk) -> User:
    access.check(request.user, "oversight.official.view")
    person = selectors.officials(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("人员不存在或不在您的监督范围内")
    return person


@domain_view
def official_detail(request, pk):
    person = _person(request, pk)
    record.require_supervisor(request.user, person)
    rows, decisions = selectors.official_record(request.user, person)
    return render(request, "oversight/official_detail.html", {
        "person": person, "rows": [{"entry": e, "category": c, "text": logdisplay.describe(e)} for e, c in rows],
        "decisions": decisions})


@domain_view
def official_export(request, pk):
    person = _person(request, pk)
    data = record.official_record_export(actor=request.user, person=person)
    events.note_read(request, person=person.pk, size=len(data))  # the security log (a GET writes nothing else)
    stamp = timezone.localtime(clock.server_now()).strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="official-record-{person.pk}-{stamp}.xlsx"'
    return response

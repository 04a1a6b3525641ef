"""工作日历: the holidays and 调休 working days of a year (what the off-hours rule reads), kept by
province and city staff; everyone else who sees the anomaly review may look."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cpaudit.core import clock
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from . import services
from .calendar import working_hours
from .forms import CalendarDayForm, YearForm
from .models import CalendarDay


@domain_view
def calendar(request):
    access.check(request.user, "oversight.calendar.view")
    years = YearForm(request.GET or None)
    year = (years.cleaned_data.get("year") if years.is_valid() else None) or clock.today().year
    can_change = access.allowed(request.user, "oversight.calendar.change")
    form = CalendarDayForm(request.POST or None) if can_change else None
    if request.method == "POST":
        access.check(request.user, "oversight.calendar.change")
        if form.is_valid():
            try:
                day = services.calendar_day_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"已保存：{day}")
                return redirect(f"{request.path}?year={day.date.year}")
    days = access.scope(request.user, CalendarDay.objects.filter(date__year=year)).order_by("date")
    start, end = working_hours()
    return render(request, "oversight/calendar.html", {
        "year": year, "years": years, "days": days, "form": form, "can_change": can_change,
        "hours": f"{start:%H:%M}–{end:%H:%M}"})


@require_POST
@domain_view
def calendar_delete(request, pk):
    access.check(request.user, "oversight.calendar.change")
    day = access.get_in_scope(request.user, CalendarDay.objects.all(), pk=pk)
    services.calendar_day_delete(actor=request.user, day=day)
    messages.success(request, f"已删除：{day}")
    return redirect(f"{reverse('oversight:calendar')}?year={day.date.year}")

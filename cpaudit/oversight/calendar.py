"""Working days and hours (北京时间): Monday–Friday unless the calendar says otherwise (CalendarDay:
holidays on weekdays, 调休 working weekends), within `CPAUDIT_WORKING_HOURS`. The official
arrangements ship in data/holidays_2020_2026.csv (loaded by migration 0002); province and city staff
keep the calendar for later years on its page.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data" / "holidays_2020_2026.csv"


def seed_rows() -> list[dict]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        return [{"date": dt.date.fromisoformat(r["date"]), "kind": r["kind"], "name": r["name"],
                 "source": r["source"]} for r in csv.DictReader(fh)]


def working_hours() -> tuple[dt.time, dt.time]:
    text = settings.CPAUDIT_WORKING_HOURS
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"CPAUDIT_WORKING_HOURS 应为“08:00-18:00”的形式，实际为“{text}”") from None
    if start >= end:
        raise ImproperlyConfigured(f"CPAUDIT_WORKING_HOURS 的开始时间应早于结束时间（{text}）")
    return start, end


class Calendar:
    """The calendar's special days in one query, then answers without queries."""

    def __init__(self, start: dt.date | None = None, end: dt.date | None = None):
        from .models import CalendarDay

        qs = CalendarDay.objects.all()
        if start is not None:
            qs = qs.filter(date__gte=start)
        if end is not None:
            qs = qs.filter(date__lte=end)
        rows = list(qs.values_list("date", "kind", "name"))
        self.days = {day: kind for day, kind, _ in rows}
        self.names = {day: name for day, _, name in rows}
        self.hours = working_hours()

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.days.get(day)
        if kind is not None:
            return kind == "workday"
        return day.weekday() < 5

    def day_text(self, day: dt.date) -> str:
        if day in self.names:
            return self.names[day]
        return "星期六" if day.weekday() == 5 else "星期日" if day.weekday() == 6 else "工作日"

    def outside(self, moment: dt.datetime) -> str | None:
        """Why `moment` is outside working time (None when inside), in Beijing time."""
        local = timezone.localtime(moment)
        if not self.is_working_day(local.date()):
            return f"{self.day_text(local.date())}（非工作日）"
        start, end = self.hours
        if not start <= local.time() < end:
            return f"工作时间（{start:%H:%M}–{end:%H:%M}）以外"
        return None

"""Calendar periods in the user's time zone: "this month" starts at midnight where the user is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # exclusive

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The instants at local midnight of start and end, for filtering timestamps."""
        return (
            datetime.combine(self.start, time(), tz),
            datetime.combine(self.end, time(), tz),
        )


def local_today(now: datetime, tz: ZoneInfo) -> date:
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    return now.astimezone(tz).date()


def day(d: date) -> Period:
    return Period(d, d + timedelta(days=1))


def month(d: date) -> Period:
    start = d.replace(day=1)
    return Period(start, start + relativedelta(months=1))


def previous_month(d: date) -> Period:
    return month(d.replace(day=1) - timedelta(days=1))


def quarter(d: date) -> Period:
    start = date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return Period(start, start + relativedelta(months=3))


def year(d: date) -> Period:
    return Period(date(d.year, 1, 1), date(d.year + 1, 1, 1))

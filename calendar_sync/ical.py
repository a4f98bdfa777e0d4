"""Reading iCalendar data (RFC 5545) into meeting occurrences.

- The text is split into components first (line by line, cheap), so one broken event, an unterminated
  component or stray garbage costs that event only, never the whole calendar; each group of components
  sharing a UID is then parsed with icalendar, whose lenient parser records bad properties per component.
- Recurring events are expanded with recurring-ical-events in a window (default 30 days back, 90 ahead);
  single events are taken as they are (past the window's start, with no upper limit, so a meeting booked
  months ahead is there from the first sync).
- Times: TZID with VTIMEZONE, IANA or Windows names; floating times and all-day dates are read in the
  calendar's X-WR-TIMEZONE or else the user's time zone; an unknown TZID is read the same way and reported.
- Every problem is reported as a short line naming the event; the caller stores them for `calendar status`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import icalendar
import recurring_ical_events

from store.services.calendar import CalendarObject, MeetingOccurrence, external_key, uid_key

DEFAULT_PAST_DAYS = 30
DEFAULT_FUTURE_DAYS = 90
MAX_PROBLEMS = 50

_TZID_PARAM = re.compile(r";TZID=(\"[^\"]*\"|[^;:]*)", re.IGNORECASE)
_EVENT_LIKE = ("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY")


@dataclass(frozen=True)
class Window:
    """The period recurring events are expanded in."""

    start: datetime
    end: datetime

    @classmethod
    def around(
        cls, now: datetime, past_days: int = DEFAULT_PAST_DAYS, future_days: int = DEFAULT_FUTURE_DAYS
    ) -> Window:
        now = now.astimezone(UTC)
        return cls(now - timedelta(days=past_days), now + timedelta(days=future_days))


@dataclass
class Problems:
    """What could not be read, one line each, capped so a garbage feed cannot flood the status."""

    lines: list[str] = field(default_factory=list)
    dropped: int = 0

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line[:300])
        else:
            self.dropped += 1

    def extend(self, other: Problems) -> None:
        for line in other.lines:
            self.add(line)
        self.dropped += other.dropped

    def as_list(self) -> list[str]:
        return self.lines + ([f"... and {self.dropped} more"] if self.dropped else [])

    def __bool__(self) -> bool:
        return bool(self.lines)


@dataclass
class Split:
    """A calendar's text cut into VTIMEZONE blocks and event blocks grouped by UID, in order."""

    timezones: dict[str, str]
    groups: dict[str, list[str]]
    floating_tz: str | None
    problems: Problems


def _logical_lines(text: str) -> list[str]:
    """Unfold (RFC 5545 §3.1) and drop empty lines; tolerant of LF-only and CR-only line ends."""
    lines: list[str] = []
    for raw in re.split(r"\r\n|\n|\r", text):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw.strip():
            lines.append(raw)
    return lines


def _name_value(line: str) -> tuple[str, str]:
    """("BEGIN", "VEVENT") from "BEGIN:VEVENT"; the property name without parameters, upper-cased."""
    head, _, value = line.partition(":")
    return head.split(";", 1)[0].strip().upper(), value.strip()


def split_calendar(data: str | bytes) -> Split:
    """Cut the text into components without parsing them, so each can fail on its own."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    problems = Problems()
    timezones: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    floating_tz: str | None = None
    kind: str | None = None  # the open top-level component
    block: list[str] = []
    stack: list[str] = []  # components open inside it
    saw_calendar = False
    garbage = 0

    def close_block(terminated: bool) -> None:
        nonlocal kind, block, stack
        if not terminated:
            block.extend(f"END:{name}" for name in reversed(stack))
            block.append(f"END:{kind}")
        props = [_name_value(line) for line in block]
        if kind == "VTIMEZONE":
            tzid = next((v for n, v in props if n == "TZID"), None)
            if tzid:
                timezones[tzid] = "\r\n".join(block)
        elif kind == "VEVENT":
            uid = next((v for n, v in props if n == "UID"), None)
            if not uid:
                summary = next((v for n, v in props if n == "SUMMARY"), "")
                problems.add(f"An event without a UID ({summary[:60] or 'no summary'}) was skipped")
            else:
                if not terminated:
                    problems.add(f"{_label(uid)}: END:VEVENT is missing; read up to the next component")
                groups.setdefault(uid, []).append("\r\n".join(block))
        kind, block, stack = None, [], []

    for line in _logical_lines(text):
        name, value = _name_value(line)
        value = value.upper() if name in ("BEGIN", "END") else value
        if kind is not None:
            if (name == "BEGIN" and value in _EVENT_LIKE) or (name == "END" and value == "VCALENDAR"):
                close_block(terminated=False)  # the open component was cut off
            elif name == "BEGIN":
                stack.append(value)
                block.append(line)
                continue
            elif name == "END" and not stack and value == kind:
                block.append(line)
                close_block(terminated=True)
                continue
            else:
                if name == "END" and stack and value == stack[-1]:
                    stack.pop()
                block.append(line)
                continue
        if name == "BEGIN" and value == "VCALENDAR":
            saw_calendar = True
        elif name == "BEGIN" and value:
            kind, block = value, [line]
        elif name == "X-WR-TIMEZONE":
            floating_tz = value
        elif ":" not in line:
            garbage += 1
    if kind is not None:
        close_block(terminated=False)
    if garbage:
        problems.add(f"{garbage} line(s) outside any event could not be read and were skipped")
    if not saw_calendar and not groups:
        problems.add("This is not iCalendar data (no BEGIN:VCALENDAR)")
    return Split(timezones, groups, floating_tz, problems)


def _label(uid: str, summary: str | None = None) -> str:
    short = uid if len(uid) <= 60 else uid[:57] + "..."
    return f"Event {short!r}" + (f" ({summary[:60]})" if summary else "")


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _tzids(blocks: Iterable[str]) -> set[str]:
    return {m.group(1).strip('"') for b in blocks for m in _TZID_PARAM.finditer(b)}


def group_text(blocks: Sequence[str], timezones: dict[str, str], floating_tz: str | None = None) -> str:
    """A self-contained VCALENDAR of one UID's components and the VTIMEZONEs they need.

    Definitions of IANA zones are left out: zoneinfo knows them better than most feeds do.
    """
    needed = [timezones[t] for t in sorted(_tzids(blocks)) if t in timezones and t not in _known_zones()]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kundebot//calendar sync//EN"]
    if floating_tz:
        head.append(f"X-WR-TIMEZONE:{floating_tz}")
    return "\r\n".join([*head, *needed, *blocks, "END:VCALENDAR", ""])


def digest(blocks: Sequence[str]) -> str:
    return hashlib.sha256("\r\n".join(blocks).encode()).hexdigest()


def _zone(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _email(address: Any) -> str | None:
    """The lower-cased email of an ORGANIZER/ATTENDEE value (mailto: URI, or an EMAIL parameter)."""
    value = str(address).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    elif getattr(address, "params", None) and address.params.get("EMAIL"):
        value = str(address.params["EMAIL"])
    value = value.strip().strip("<>").lower()
    return value if "@" in value else None


def _people(component: Any) -> tuple[str | None, list[str], list[str]]:
    organizer = _email(component["ORGANIZER"]) if "ORGANIZER" in component else None
    attendees = component.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    emails: list[str] = []
    declined: list[str] = []
    for attendee in attendees:
        email = _email(attendee)
        if email is None:
            continue
        emails.append(email)
        if str(attendee.params.get("PARTSTAT", "")).upper() == "DECLINED":
            declined.append(email)
    return organizer, emails, declined


def _to_utc(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _recurrence_key(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y%m%dT%H%M%S")
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _stamp(component: Any) -> datetime | None:
    for name in ("LAST-MODIFIED", "DTSTAMP"):
        try:
            if name in component:
                value = component[name].dt
                if isinstance(value, datetime):
                    return value if value.tzinfo else value.replace(tzinfo=UTC)
        except (AttributeError, ValueError, TypeError):
            continue
    return None


def _sequence(component: Any) -> int:
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _text(component: Any, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _check_times(component: Any, label: str, zone: ZoneInfo, problems: Problems) -> None:
    """An unknown TZID leaves a naive time behind: say so, it is then read in `zone`."""
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = component.get(name)
        if prop is None or not hasattr(prop, "params"):
            continue
        tzid = prop.params.get("TZID")
        value = getattr(prop, "dt", None)
        if tzid and isinstance(value, datetime) and value.tzinfo is None:
            problems.add(f"{label}: unknown time zone {str(tzid)!r}, read as {zone.key}")
            return


def _occurrence(
    event: Any,
    uid: str,
    key: str,
    zone: ZoneInfo,
    window: Window,
    fallback_people: tuple[str | None, list[str], list[str]] | None,
) -> MeetingOccurrence:
    start_value = event.start
    try:
        end_value = event.end
    except (icalendar.InvalidCalendar, ValueError, KeyError):
        end_value = start_value
    all_day = not isinstance(start_value, datetime)
    start = _to_utc(start_value, zone)
    end = _to_utc(end_value, zone)
    if end < start:
        end = start
    if all_day and end == start:
        end = start + timedelta(days=1)
    organizer, attendees, declined = _people(event)
    if organizer is None and not attendees and fallback_people is not None:
        organizer, attendees, declined = fallback_people
    return MeetingOccurrence(
        uid=uid,
        key=key,
        start=start,
        end=end,
        all_day=all_day,
        summary=_text(event, "SUMMARY") or "",
        description=_text(event, "DESCRIPTION"),
        location=_text(event, "LOCATION"),
        cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED",
        organizer=organizer,
        attendees=tuple(attendees),
        declined=tuple(declined),
        sequence=_sequence(event),
        stamp=_stamp(event),
        in_window=end > window.start,
    )


def expand_group(
    uid: str, calendar_text: str, window: Window, zone: ZoneInfo
) -> tuple[list[MeetingOccurrence], bool, Problems]:
    """The occurrences of one UID's components; (occurrences, is it recurring, problems)."""
    problems = Problems()
    try:
        calendar = icalendar.Calendar.from_ical(calendar_text)
    except (ValueError, IndexError, KeyError) as exc:
        problems.add(f"{_label(uid)}: could not be read ({exc})")
        return [], False, problems
    events: list[Any] = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    usable = []
    for event in events:
        label = _label(uid, _text(event, "SUMMARY"))
        for prop, error in getattr(event, "errors", []):
            problems.add(f"{label}: {prop + ': ' if prop else ''}{error}")
        try:
            event.start  # noqa: B018 - raises when DTSTART is missing or broken
        except (icalendar.InvalidCalendar, icalendar.BrokenCalendarProperty, ValueError, KeyError):
            problems.add(f"{label}: no usable start time; skipped")
            continue
        _check_times(event, label, zone, problems)
        usable.append(event)
    masters = [e for e in usable if "RECURRENCE-ID" not in e]
    recurring = any("RRULE" in e or "RDATE" in e for e in masters)
    if not recurring:
        found: list[MeetingOccurrence] = []
        for event in usable:
            rid = event.get("RECURRENCE-ID")
            key = external_key(uid, _recurrence_key(rid.dt) if rid is not None else None)
            found.append(_occurrence(event, uid, key, zone, window, None))
        return found, False, problems
    master_people = _people(masters[0]) if masters else None
    series = icalendar.Calendar()
    for event in usable:
        series.add_component(event)
    try:
        expanded = recurring_ical_events.of(series).between(
            window.start.astimezone(zone).replace(tzinfo=None),
            window.end.astimezone(zone).replace(tzinfo=None),
        )
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds; one series fails alone
        problems.add(f"{_label(uid, _text(masters[0], 'SUMMARY'))}: recurrence could not be expanded ({exc})")
        return [], True, problems
    found = []
    for event in expanded:
        rid = event.get("RECURRENCE-ID")
        key = external_key(uid, _recurrence_key(rid.dt if rid is not None else event.start))
        found.append(_occurrence(event, uid, key, zone, window, master_people))
    return found, True, problems


def read_calendar_object(
    href: str, etag: str | None, data: str | bytes, window: Window, zone: ZoneInfo
) -> tuple[CalendarObject, Problems]:
    """One CalDAV resource (usually one UID, possibly with overrides)."""
    split = split_calendar(data)
    obj, problems = _read_groups(href, etag, split, split.groups, window, zone)
    problems.extend(split.problems)
    return obj, problems


def read_feed(
    data: str | bytes, window: Window, zone: ZoneInfo, *, known: dict[str, str | None] | None = None
) -> tuple[list[CalendarObject], set[str], Problems]:
    """A whole feed as one object per UID (href `uid:<uid>`, etag the digest of its text).

    UIDs whose digest equals `known[href]` are not parsed again. Returns the objects to apply, the hrefs
    present in the feed, and the problems.
    """
    split = split_calendar(data)
    objects: list[CalendarObject] = []
    present: set[str] = set()
    problems = Problems()
    problems.extend(split.problems)
    for uid, blocks in split.groups.items():
        href = "uid:" + uid_key(uid)
        present.add(href)
        tag = digest(blocks)
        if known is not None and known.get(href) == tag:
            continue
        obj, found = _read_groups(href, tag, split, {uid: blocks}, window, zone)
        objects.append(obj)
        problems.extend(found)
    return objects, present, problems


def _read_groups(
    href: str,
    etag: str | None,
    split: Split,
    groups: dict[str, list[str]],
    window: Window,
    zone: ZoneInfo,
) -> tuple[CalendarObject, Problems]:
    floating = _zone(split.floating_tz, zone)
    problems = Problems()
    occurrences: list[MeetingOccurrence] = []
    recurring = False
    texts: list[str] = []
    for uid, blocks in groups.items():
        text = group_text(blocks, split.timezones, split.floating_tz)
        found, is_recurring, group_problems = expand_group(uid, text, window, floating)
        occurrences.extend(found)
        problems.extend(group_problems)
        recurring = recurring or is_recurring
        texts.append(text)
    obj = CalendarObject(
        href=href,
        etag=etag,
        uids=list(groups),
        occurrences=occurrences,
        data="\n".join(texts) if recurring else None,
        expanded_until=window.end.date() if recurring else None,
    )
    return obj, problems


def reexpand(
    href: str, etag: str | None, data: str, window: Window, zone: ZoneInfo
) -> tuple[CalendarObject, Problems]:
    """A stored recurring object expanded again, in a window that has moved on."""
    merged = Split({}, {}, None, Problems())
    for part in re.split(r"(?<=END:VCALENDAR)\s*\n", data):
        if not part.strip():
            continue
        split = split_calendar(part)
        merged.timezones.update(split.timezones)
        merged.floating_tz = merged.floating_tz or split.floating_tz
        for uid, blocks in split.groups.items():
            merged.groups.setdefault(uid, []).extend(blocks)
    return _read_groups(href, etag, merged, merged.groups, window, zone)

"""Calendar sync (SPEC §7): CalDAV calendars and iCalendar feeds become meeting activities, meetings booked
from chat go back to the user's calendar, and each user has a private feed of their CRM activities.

    ical.py           iCalendar text -> meeting occurrences (icalendar, recurring-ical-events)
    caldav_source.py  the CalDAV requests (aiohttp): sync-collection, ETags, multiget, PUT
    ics_feed.py       read-only feeds: conditional GET
    sync.py           one source: fetch, read, apply through store.services.calendar
    service.py        the worker in `kundebot serve`, the feed route, booking from chat
    feed.py           the private feed's VCALENDAR
    credentials.py    Fernet encryption of stored secrets (KUNDEBOT_SECRET_KEY)
    settings.py       CALDAV_* settings
    cli.py            `kundebot calendar status|add|sync|feed|remove`
"""

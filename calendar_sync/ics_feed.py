"""Read-only iCalendar feeds: a conditional GET (If-None-Match / If-Modified-Since) with aiohttp.

A 304 costs nothing more; a 200 is split per UID by calendar_sync.ical and only UIDs whose text changed
are parsed and applied.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from yarl import URL

from calendar_sync.caldav_source import read_at_most

MAX_FEED = 100 * 1024 * 1024


class FeedError(Exception):
    """The feed could not be fetched; `str()` names no secret (a feed's URL often is one)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class FeedResponse:
    modified: bool
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


async def fetch_feed(
    http: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    username: str | None = None,
    password: str | None = None,
    seconds: float = 60.0,
) -> FeedResponse:
    """GET the feed unless it is unchanged since (etag, last_modified)."""
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if username:
        headers["Authorization"] = aiohttp.encode_basic_auth(username, password or "")
    host = URL(url).host or "the feed's server"
    try:
        async with http.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=seconds)) as response:
            if response.status == 304:
                return FeedResponse(False, etag=etag, last_modified=last_modified)
            if response.status in (401, 403):
                raise FeedError(f"{host} refused access to the feed ({response.status}).", response.status)
            if response.status == 404:
                raise FeedError(f"{host} has no such feed any more (404).", 404)
            if response.status != 200:
                raise FeedError(f"{host} answered {response.status}.", response.status)
            body = await read_at_most(response, MAX_FEED)
            if body is None:
                raise FeedError(f"The feed is larger than {MAX_FEED // 2**20} MB.")
            return FeedResponse(
                True,
                body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )
    except aiohttp.ClientError as exc:
        raise FeedError(f"{host}: {type(exc).__name__}") from exc
    except TimeoutError as exc:
        raise FeedError(f"{host}: no answer within {seconds:.0f} s") from exc


def redact(url: str) -> str:
    """What of a feed URL may be shown: scheme, host and the last path segment's name, no query."""
    parsed = URL(url)
    name = parsed.name if parsed.name.endswith(".ics") else ""
    return f"{parsed.scheme}://{parsed.host}{'' if parsed.port in (None, 80, 443) else f':{parsed.port}'}/…/{name}"

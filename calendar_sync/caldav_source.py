"""A small CalDAV client over aiohttp: exactly the requests calendar sync needs.

- `PROPFIND` depth 0 for the collection's sync-token (RFC 6578) and CTag (CalendarServer's getctag): when
  both are unchanged, nothing is fetched.
- `REPORT sync-collection` with the previous token returns changed objects *with their data* and removed
  ones in one round trip; an unknown or expired token falls back to an initial sync (empty token).
- Servers without sync-collection: `PROPFIND` depth 1 for ETags, compared with the ETags last seen, then
  `REPORT calendar-multiget` for the changed objects only.
- `PUT` (with If-None-Match / If-Match) and `DELETE` for meetings booked from chat.

Why not python-caldav's async client: it goes through httpx/niquests and builds an object per resource; the
sync path here is three requests and one XML parse, and it shares the aiohttp session the bot already has.
Hrefs are kept as unquoted paths; they are quoted again only on the wire.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import aiohttp

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"
MULTIGET_BATCH = 500
MAX_RESPONSE = 200 * 1024 * 1024


async def read_at_most(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The whole body, or None when it is larger than `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


class CalDAVError(Exception):
    """The server refused or failed; `str()` is safe to show (no credentials)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class InvalidSyncToken(CalDAVError):
    pass


class SyncNotSupported(CalDAVError):
    pass


@dataclass
class Resource:
    href: str  # unquoted path
    etag: str | None
    data: str | None = None


@dataclass
class Changes:
    """What changed in the collection since the state we had."""

    changed: list[Resource] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    sync_token: str | None = None
    ctag: str | None = None
    unchanged: bool = False  # nothing changed at all (CTag/sync-token equal)
    mode: str = ""  # "ctag", "sync-collection", "sync-collection (initial)", "etags"
    requests: int = 0


def normalise_href(href: str) -> str:
    return unquote(urlsplit(href).path)


def quote_href(path: str) -> str:
    return quote(path, safe="/@:+!$&'()*,;=~-._")


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


PROPFIND_STATE = _xml(
    '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">'
    "<d:prop><d:sync-token/><cs:getctag/><d:displayname/><d:resourcetype/></d:prop></d:propfind>"
)
PROPFIND_ETAGS = _xml(
    '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>'
)


def _sync_collection(token: str | None) -> bytes:
    token_xml = f"<d:sync-token>{_escape(token)}</d:sync-token>" if token else "<d:sync-token/>"
    return _xml(
        '<d:sync-collection xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"{token_xml}<d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/><c:calendar-data/></d:prop></d:sync-collection>"
    )


def _multiget(hrefs: Iterable[str]) -> bytes:
    refs = "".join(f"<d:href>{_escape(quote_href(h))}</d:href>" for h in hrefs)
    return _xml(
        '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{refs}</c:calendar-multiget>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _status_code(element: ET.Element | None) -> int | None:
    if element is None or not element.text:
        return None
    parts = element.text.split()
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return None


@dataclass
class _Response:
    href: str
    status: int | None
    props: dict[str, ET.Element]


def _parse_multistatus(body: bytes) -> tuple[list[_Response], str | None]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise CalDAVError(f"The server's answer is not XML ({exc})") from exc
    responses = []
    for response in root.iter(_tag(DAV, "response")):
        href_el = response.find(_tag(DAV, "href"))
        if href_el is None or not href_el.text:
            continue
        props: dict[str, ET.Element] = {}
        for propstat in response.findall(_tag(DAV, "propstat")):
            status = _status_code(propstat.find(_tag(DAV, "status")))
            if status is not None and not 200 <= status < 300:
                continue
            prop = propstat.find(_tag(DAV, "prop"))
            if prop is not None:
                for child in prop:
                    props[child.tag] = child
        responses.append(
            _Response(normalise_href(href_el.text), _status_code(response.find(_tag(DAV, "status"))), props)
        )
    token_el = root.find(_tag(DAV, "sync-token"))
    return responses, (token_el.text.strip() if token_el is not None and token_el.text else None)


def _text(props: dict[str, ET.Element], ns: str, name: str) -> str | None:
    element = props.get(_tag(ns, name))
    return element.text.strip() if element is not None and element.text else None


def _is_collection(props: dict[str, ET.Element]) -> bool:
    rt = props.get(_tag(DAV, "resourcetype"))
    return rt is not None and rt.find(_tag(DAV, "collection")) is not None


class CalDAVClient:
    """One calendar collection on a CalDAV server."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.path = normalise_href(self.url)
        self._http = http
        self._auth = (
            {"Authorization": aiohttp.encode_basic_auth(username, password or "")} if username else {}
        )
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self.requests = 0

    def __repr__(self) -> str:
        return f"<CalDAVClient {self.url}>"

    def href_url(self, href: str) -> str:
        return urljoin(self.url, quote_href(href))

    async def _request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        ok: Sequence[int] = (200, 207),
    ) -> tuple[int, bytes, Any]:
        self.requests += 1
        all_headers = {"Content-Type": "application/xml; charset=utf-8", **self._auth, **(headers or {})}
        try:
            async with self._http.request(
                method, url, data=body, headers=all_headers, timeout=self._timeout
            ) as response:
                data = await read_at_most(response, MAX_RESPONSE)
                if data is None:
                    raise CalDAVError(f"{method} answer larger than {MAX_RESPONSE // 2**20} MB")
                if response.status not in ok:
                    raise self._error(method, response.status, data)
                return response.status, data, response.headers
        except aiohttp.ClientError as exc:
            raise CalDAVError(f"{method} {self.url}: {type(exc).__name__}: {exc}") from exc
        except TimeoutError as exc:
            raise CalDAVError(f"{method} {self.url}: no answer within {self._timeout.total:.0f} s") from exc

    def _error(self, method: str, status: int, body: bytes) -> CalDAVError:
        text = body[:2000].decode("utf-8", errors="replace")
        if status == 401:
            return CalDAVError("The CalDAV server refused the user name or password (401).", status)
        if "valid-sync-token" in text:
            return InvalidSyncToken("The sync token is no longer valid.", status)
        if method == "REPORT" and ("supported-report" in text or status in (400, 403, 501)):
            return SyncNotSupported(f"The server does not support this report ({status}).", status)
        if status == 404:
            return CalDAVError(f"No calendar at {self.url} (404).", status)
        return CalDAVError(f"{method} {self.url} answered {status}.", status)

    async def state(self) -> tuple[str | None, str | None]:
        """(sync-token, CTag) of the collection, either may be None."""
        _, body, _ = await self._request("PROPFIND", self.url, body=PROPFIND_STATE, headers={"Depth": "0"})
        responses, _ = _parse_multistatus(body)
        for response in responses:
            if response.href.rstrip("/") == self.path.rstrip("/"):
                return _text(response.props, DAV, "sync-token"), _text(response.props, CS, "getctag")
        if responses:
            return _text(responses[0].props, DAV, "sync-token"), _text(responses[0].props, CS, "getctag")
        return None, None

    async def sync_collection(self, token: str | None) -> tuple[list[Resource], list[str], str | None]:
        """Changed resources (with data) and removed hrefs since `token` (all, for None).

        Depth 0, as RFC 6578 §3.2 requires (SabreDAV, under Nextcloud, refuses anything else); the
        sync-level element says how deep."""
        _, body, _ = await self._request(
            "REPORT", self.url, body=_sync_collection(token), headers={"Depth": "0"}
        )
        responses, new_token = _parse_multistatus(body)
        changed: list[Resource] = []
        removed: list[str] = []
        for response in responses:
            if response.href.rstrip("/") == self.path.rstrip("/"):
                continue
            if response.status == 404:
                removed.append(response.href)
            elif not _is_collection(response.props):
                changed.append(
                    Resource(
                        response.href,
                        _text(response.props, DAV, "getetag"),
                        _raw_text(response.props.get(_tag(CALDAV, "calendar-data"))),
                    )
                )
        return changed, removed, new_token

    async def etags(self) -> dict[str, str | None]:
        """href -> ETag of every object in the collection."""
        _, body, _ = await self._request("PROPFIND", self.url, body=PROPFIND_ETAGS, headers={"Depth": "1"})
        responses, _ = _parse_multistatus(body)
        return {
            r.href: _text(r.props, DAV, "getetag")
            for r in responses
            if r.href.rstrip("/") != self.path.rstrip("/") and not _is_collection(r.props)
        }

    async def multiget(self, hrefs: Sequence[str]) -> list[Resource]:
        found: list[Resource] = []
        for i in range(0, len(hrefs), MULTIGET_BATCH):
            _, body, _ = await self._request(
                "REPORT", self.url, body=_multiget(hrefs[i : i + MULTIGET_BATCH]), headers={"Depth": "1"}
            )
            responses, _ = _parse_multistatus(body)
            for r in responses:
                data = _raw_text(r.props.get(_tag(CALDAV, "calendar-data")))
                if data is not None:
                    found.append(Resource(r.href, _text(r.props, DAV, "getetag"), data))
        return found

    async def changes(
        self,
        *,
        sync_token: str | None,
        ctag: str | None,
        known: dict[str, str | None],
        use_sync_collection: bool = True,
    ) -> Changes:
        """Everything that changed since (sync_token, ctag, known ETags), with the data of changed objects.

        With a sync-token from last time this is one REPORT (a server answers "nothing changed" as cheaply
        as it can); otherwise a PROPFIND for the token and CTag first.
        """
        start = self.requests
        if use_sync_collection and sync_token:
            try:
                return await self._changes_by_token(sync_token, ctag, known, start)
            except InvalidSyncToken:
                return await self._changes_by_token(None, ctag, known, start, expired=True)
            except SyncNotSupported:
                pass
        server_token, server_ctag = await self.state()
        use_sync = use_sync_collection and server_token is not None
        if not use_sync and ctag is not None and server_ctag == ctag:
            return Changes(
                sync_token=None, ctag=ctag, unchanged=True, mode="unchanged", requests=self.requests - start
            )
        if use_sync:
            try:
                return await self._changes_by_token(None, server_ctag, known, start)
            except SyncNotSupported:
                pass
        listed = await self.etags()
        wanted = sorted(h for h, etag in listed.items() if etag is None or known.get(h) != etag)
        changed = await self.multiget(wanted) if wanted else []
        removed = sorted(set(known) - set(listed))
        return Changes(changed, removed, None, server_ctag, mode="etags", requests=self.requests - start)

    async def _changes_by_token(
        self,
        token: str | None,
        server_ctag: str | None,
        known: dict[str, str | None],
        start: int,
        *,
        expired: bool = False,
    ) -> Changes:
        changed, removed, new_token = await self.sync_collection(token)
        if token is None:  # an initial sync lists everything: what it does not list is gone
            removed = sorted(set(known) - {r.href for r in changed})
        changed = [r for r in changed if r.etag is None or known.get(r.href) != r.etag]
        missing = [r.href for r in changed if r.data is None]
        if missing:  # a server that lists changes without their data
            fetched = {r.href: r for r in await self.multiget(missing)}
            changed = [fetched.get(r.href, r) for r in changed if r.data is not None or r.href in fetched]
        mode = "sync-collection" + (" (token expired)" if expired else " (initial)" if token is None else "")
        unchanged = token is not None and not changed and not removed and new_token == token
        return Changes(
            changed,
            removed,
            new_token,
            server_ctag,
            unchanged=unchanged,
            mode="unchanged" if unchanged else mode,
            requests=self.requests - start,
        )

    async def put(self, href: str, data: str, *, etag: str | None = None) -> str | None:
        """Create (If-None-Match: *) or replace (If-Match: etag) an object; the new ETag if the server
        tells it."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers.update({"If-Match": etag} if etag else {"If-None-Match": "*"})
        _, _, response_headers = await self._request(
            "PUT", self.href_url(href), body=data.encode(), headers=headers, ok=(200, 201, 204)
        )
        value = response_headers.get("ETag")
        return str(value) if value else None

    async def delete(self, href: str, *, etag: str | None = None) -> None:
        headers = {"If-Match": etag} if etag else {}
        await self._request("DELETE", self.href_url(href), headers=headers, ok=(200, 204, 404))


def _raw_text(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return element.text or None

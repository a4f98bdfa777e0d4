"""A fake Brønnøysund and PRH on 127.0.0.1, serving JSON fixtures at the registers' real paths.

Fixtures live in a directory laid out by path:

    brreg/enheter/<orgnr>.json          200 (a deleted unit is a 200 with `slettedato`, as in the real API)
    brreg/enheter/<orgnr>.410.json      410 with this body (removed from the open data)
    brreg/underenheter/<orgnr>.json     200 (and .410.json like above); any other number answers 404
    brreg/search/<name>.json            GET /enheter?navn=<name> (lower-case); else brreg/search/_empty.json
    brreg/oppdateringer/enheter.json    the change feed, filtered by `oppdateringsid` and cut to `size`
    /enhetsregisteret/api/enheter/lastned  a gzip JSON array of every brreg/enheter/<orgnr>.json unit
    prh/companies/<business id>.json    GET /opendata-ytj-api/v3/companies?businessId=<id with dash>
    prh/search/<name>.json              GET ...companies?name=<name> (lower-case); else prh/empty.json

Every request is recorded (path and query). Per test, a path can be made to answer a status (404, 410,
500, 429 with Retry-After ...), to answer slowly, or to send malformed JSON, once or always:

    fake.answer("/enhetsregisteret/api/enheter/912345688", 500, times=1)
    fake.slow("/opendata-ytj-api/v3/companies", delay=2.0)
    fake.malformed("/enhetsregisteret/api/enheter")
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

BRREG = "/enhetsregisteret/api"
PRH = "/opendata-ytj-api/v3/companies"
MALFORMED = b'{"navn": "FJORDLYS R\xc3\xa5DGIVNING AS", "organisasjonsform": {'  # cut off mid-object

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    query: dict[str, str]


@dataclass
class _Rule:
    """What a path does instead of serving its fixture; `times=None` means every time."""

    status: int | None = None  # None: serve the fixture (after `delay`)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = None


class FakeRegisters:
    def __init__(self, fixtures: Path) -> None:
        self.fixtures = fixtures
        self.requests: list[RecordedRequest] = []
        self.base_url = ""  # set once listening
        self._rules: dict[str, list[_Rule]] = {}
        self._released = asyncio.Event()  # set at shutdown so slow answers stop waiting

    # --- per-test controls -------------------------------------------------------------------------

    def answer(
        self,
        path: str,
        status: int,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Make `path` answer `status` (with an optional JSON body), `times` times or always."""
        body = b"" if json_body is None else json.dumps(json_body).encode()
        self._rules.setdefault(path, []).append(_Rule(status, body, dict(headers or {}), times=times))

    def slow(self, path: str, *, delay: float, times: int | None = None) -> None:
        """Make `path` wait `delay` seconds before answering normally (longer than the client's timeout)."""
        self._rules.setdefault(path, []).append(_Rule(delay=delay, times=times))

    def malformed(self, path: str, *, times: int | None = None) -> None:
        """Make `path` answer 200 with a body that is not JSON."""
        rule = _Rule(200, MALFORMED, {"Content-Type": "application/json"}, times=times)
        self._rules.setdefault(path, []).append(rule)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    # --- serving -----------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._apply_rules])
        app.router.add_get(f"{BRREG}/enheter/lastned", self._bulk)
        app.router.add_get(f"{BRREG}/enheter", self._brreg_search)
        app.router.add_get(f"{BRREG}/enheter/{{orgnr}}", self._brreg_unit)
        app.router.add_get(f"{BRREG}/underenheter/{{orgnr}}", self._brreg_unit)
        app.router.add_get(f"{BRREG}/oppdateringer/enheter", self._brreg_changes)
        app.router.add_get(PRH, self._prh_companies)
        return app

    def release(self) -> None:
        self._released.set()

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(RecordedRequest(request.path, dict(request.query)))
        return await handler(request)

    @web.middleware
    async def _apply_rules(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        rule = self._next_rule(request.path)
        if rule is None:
            return await handler(request)
        if rule.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), rule.delay)
        if rule.status is None:
            return await handler(request)
        headers = {"Content-Type": "application/json", **rule.headers} if rule.body else rule.headers
        return web.Response(status=rule.status, body=rule.body, headers=headers)

    def _next_rule(self, path: str) -> _Rule | None:
        rules = self._rules.get(path)
        if not rules:
            return None
        rule = rules[0]
        if rule.times is not None:
            rule.times -= 1
            if rule.times <= 0:
                rules.pop(0)
        return rule

    async def _brreg_unit(self, request: web.Request) -> web.StreamResponse:
        kind = "underenheter" if "/underenheter/" in request.path else "enheter"
        orgnr = request.match_info["orgnr"]
        found = self.fixtures / "brreg" / kind / f"{orgnr}.json"
        gone = self.fixtures / "brreg" / kind / f"{orgnr}.410.json"
        if found.exists():
            return _json_file(found)
        if gone.exists():
            return _json_file(gone, status=410)
        return web.Response(status=404)  # the real API answers 404 without a body

    async def _brreg_search(self, request: web.Request) -> web.StreamResponse:
        search = self.fixtures / "brreg" / "search"
        page = json.loads(_named(search, request.query.get("navn"), search / "_empty.json").read_text())
        size = int(request.query.get("size", "20"))
        if "_embedded" in page:
            page["_embedded"]["enheter"] = page["_embedded"]["enheter"][:size]
        return web.json_response(page)

    async def _brreg_changes(self, request: web.Request) -> web.StreamResponse:
        page = json.loads((self.fixtures / "brreg" / "oppdateringer" / "enheter.json").read_text())
        first = int(request.query.get("oppdateringsid", "1"))
        size = int(request.query.get("size", "20"))
        matching = [e for e in page["_embedded"]["oppdaterteEnheter"] if e["oppdateringsid"] >= first]
        entries = matching[:size]
        if entries:
            page["_embedded"]["oppdaterteEnheter"] = entries
        else:
            del page["_embedded"]  # like the search, the real API leaves `_embedded` out when empty
        page["page"].update(size=size, totalElements=len(matching))
        return web.json_response(page)

    async def _bulk(self, request: web.Request) -> web.StreamResponse:
        units = []
        for path in sorted((self.fixtures / "brreg" / "enheter").glob("*.json")):
            unit = json.loads(path.read_text())
            if path.name.count(".") == 1 and unit.get("respons_klasse") == "Enhet":
                unit.pop("_links", None)  # the download is plain JSON, not HAL
                unit.pop("respons_klasse", None)
                units.append(unit)
        body = gzip.compress(json.dumps(units, ensure_ascii=False).encode())
        content_type = "application/vnd.brreg.enhetsregisteret.enhet.v2+gzip;charset=UTF-8"
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _prh_companies(self, request: web.Request) -> web.StreamResponse:
        prh = self.fixtures / "prh"
        business_id = request.query.get("businessId")
        if business_id:
            return _json_file(_named(prh / "companies", business_id, prh / "empty.json"))
        return _json_file(_named(prh / "search", request.query.get("name"), prh / "empty.json"))


def _named(directory: Path, name: str | None, fallback: Path) -> Path:
    """The fixture called `name` (lower-case) in `directory`, else `fallback`."""
    # Names come from the request: only plain file names inside the fixture directory count.
    if not name or "/" in name or name.startswith("."):
        return fallback
    candidate = directory / f"{name.strip().lower()}.json"
    return candidate if candidate.exists() else fallback


def _json_file(path: Path, status: int = 200) -> web.Response:
    return web.Response(status=status, body=path.read_bytes(), content_type="application/json")


@contextlib.asynccontextmanager
async def running_registers(fixtures: Path) -> AsyncIterator[FakeRegisters]:
    """Serve `fixtures` on 127.0.0.1 on a free port for the duration of the block."""
    fake = FakeRegisters(fixtures)
    # Handlers of requests the client gave up on are cancelled, and shutdown does not wait for them.
    runner = web.AppRunner(fake.app(), handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake.base_url = f"http://{host}:{port}"
    try:
        yield fake
    finally:
        fake.release()
        await runner.cleanup()

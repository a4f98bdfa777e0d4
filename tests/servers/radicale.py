"""A real Radicale CalDAV server on 127.0.0.1 in a temporary directory (see shared/REAL-SERVERS.md).

Started as a subprocess with plain htpasswd users and owner-only rights; tests make their own calendar
collections (one per test, unique names) so one server serves a whole session. The helpers talk plain
HTTP with the standard library, independent of the client under test.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.postgres import free_port

USERS = {"alice": "alice-pw-Ø1", "bob": "bob-pw-2", "carol": "carol-pw-3"}

MKCALENDAR = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>{name}</D:displayname>
  <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>"""


@dataclass
class RadicaleServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    users: dict[str, str] = field(default_factory=lambda: dict(USERS))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self,
        user: str,
        method: str,
        path: str,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        auth = base64.b64encode(f"{user}:{self.users[user]}".encode()).decode()
        all_headers = {"Authorization": f"Basic {auth}", **(headers or {})}
        data = body.encode() if isinstance(body, str) else body
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()

    def make_calendar(self, user: str, name: str | None = None) -> str:
        """A new, empty calendar of `user`; returns its URL."""
        name = name or f"cal-{uuid.uuid4().hex[:10]}"
        path = f"/{user}/{name}/"
        status, body, _ = self.request(user, "MKCALENDAR", path, MKCALENDAR.format(name=name))
        assert status == 201, (status, body)
        return self.base_url + path

    def put(self, calendar_url: str, user: str, filename: str, ics: str) -> str:
        """Create or replace one object; returns its ETag."""
        path = calendar_url.removeprefix(self.base_url) + filename
        status, body, headers = self.request(
            user, "PUT", path, ics, {"Content-Type": "text/calendar; charset=utf-8"}
        )
        assert status in (200, 201, 204), (status, body)
        return headers.get("etag", "")

    def delete(self, calendar_url: str, user: str, filename: str) -> None:
        path = calendar_url.removeprefix(self.base_url) + filename
        status, body, _ = self.request(user, "DELETE", path)
        assert status in (200, 204), (status, body)

    def get(self, calendar_url: str, user: str, filename: str) -> str:
        path = calendar_url.removeprefix(self.base_url) + filename
        status, body, _ = self.request(user, "GET", path)
        assert status == 200, (status, body)
        return body.decode()

    def upload(self, calendar_url: str, user: str, ics: str) -> None:
        """Replace the whole collection with a VCALENDAR of many events (Radicale splits it per UID):
        thousands of events in one request, for benchmarks."""
        path = calendar_url.removeprefix(self.base_url)
        status, body, _ = self.request(
            user, "PUT", path, ics, {"Content-Type": "text/calendar; charset=utf-8"}
        )
        assert status in (200, 201, 204), (status, body)

    def folder(self, calendar_url: str) -> Path:
        path = calendar_url.removeprefix(self.base_url).strip("/")
        return self.directory / "collections" / "collection-root" / path

    def filenames(self, calendar_url: str, user: str) -> list[str]:
        return sorted(p.name for p in self.folder(calendar_url).iterdir() if p.suffix == ".ics")

    def write_items(self, calendar_url: str, items: dict[str, str]) -> None:
        """Put many objects straight into the storage folder (Radicale reads changes made by other programs):
        for benchmarks, since uploading thousands of events over HTTP takes Radicale minutes."""
        folder = self.folder(calendar_url)
        for filename, ics in items.items():
            (folder / filename).write_text(ics, encoding="utf-8", newline="")


@contextlib.contextmanager
def running_radicale(users: dict[str, str] | None = None) -> Iterator[RadicaleServer]:
    users = dict(users or USERS)
    # Radicale fsyncs every write; on tmpfs that costs nothing (tests need no durability).
    shm = Path("/dev/shm")
    memory = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    directory = Path(tempfile.mkdtemp(prefix="kundebot-radicale-", dir=memory))
    (directory / "users").write_text("".join(f"{u}:{p}\n" for u, p in users.items()), encoding="utf-8")
    port = free_port()
    (directory / "config").write_text(
        f"""[server]
hosts = 127.0.0.1:{port}
max_connections = 20
timeout = 120
[auth]
type = htpasswd
htpasswd_filename = {directory / "users"}
htpasswd_encryption = plain
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = {directory / "collections"}
[web]
type = none
[logging]
level = warning
mask_passwords = True
""",
        encoding="utf-8",
    )
    log = (directory / "log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(directory / "config")],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = RadicaleServer(port, directory, process, users)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError("Radicale exited: " + (directory / "log").read_text(errors="replace"))
            try:
                status, _, _ = server.request(
                    next(iter(users)), "PROPFIND", f"/{next(iter(users))}/", None, {"Depth": "0"}
                )
                if status in (207, 404):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("Radicale did not start within 30 s")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)

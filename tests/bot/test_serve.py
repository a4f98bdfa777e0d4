"""`kundebot serve` as a process: one or several HTTP worker processes on one port, stopped cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers.postgres import free_port


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _healthy(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.status == 200
        except OSError:
            time.sleep(0.2)
    return False


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads child processes from /proc")
def test_serve_with_two_workers_answers_on_one_port_and_stops_them_all(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kundebot.db'}",
        "SLACK_BOT_TOKEN": "xoxb-kundebot-test",
        "SLACK_SIGNING_SECRET": "kundebot-test-signing-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # never called: no request reaches Slack here
    }
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("IMAP_HOST", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _healthy(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        workers = _children(server.pid)
        assert len(workers) == 1  # the first process plus one forked worker
        for _ in range(20):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                assert reply.status == 200
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

"""`kundebot calendar add | sync | status | feed | remove`, driven through the Typer app."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from calendar_sync.cli import calendar_app
from store.db import Store
from store.models import Role
from store.services.users import create_user
from tests.calendar_sync.conftest import vcalendar, vevent
from tests.servers.radicale import RadicaleServer


def _users(url: str) -> None:
    async def work() -> None:
        async with Store(url) as store, store.transaction() as s:
            await create_user(s, name="Alice Sales", email="alice.sales@firm.example", role=Role.SALES)

    asyncio.run(work())


@pytest.fixture
def env(database_url: str, secret_key: str) -> dict[str, str]:
    _users(database_url)
    return {
        "DATABASE_URL": database_url,
        "KUNDEBOT_SECRET_KEY": secret_key,
        "KUNDEBOT_PUBLIC_URL": "https://crm.example",
    }


def test_add_sync_and_status(env: dict[str, str], radicale: RadicaleServer) -> None:
    runner = CliRunner()
    url = radicale.make_calendar("alice")
    radicale.put(
        url, "alice", "a.ics", vcalendar(vevent("a@x", "20361105T090000", attendees=("nobody@nowhere.no",)))
    )
    password = radicale.users["alice"]

    added = runner.invoke(
        calendar_app,
        ["add", "alice.sales@firm.example", url, "--username", "alice", "--password-stdin", "--name", "Work"],
        input=password + "\n",
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert "Calendar reached (sync-token)." in added.output and password not in added.output

    synced = runner.invoke(calendar_app, ["sync"], env=env)
    assert synced.exit_code == 0, synced.output
    assert synced.output.startswith("calendar 1: sync-collection (initial): 1 objects read, 0 meetings new")

    shown = runner.invoke(calendar_app, ["status"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "Work" in shown.output and "state: ok" in shown.output and password not in shown.output

    data = json.loads(runner.invoke(calendar_app, ["status", "--json"], env=env).output)
    assert data[0]["kind"] == "caldav" and data[0]["items"] == 1 and data[0]["last_error"] is None

    wrong = runner.invoke(
        calendar_app,
        [
            "add",
            "alice.sales@firm.example",
            radicale.make_calendar("alice"),
            "--username",
            "alice",
            "--password-stdin",
        ],
        input="not-the-password\n",
        env=env,
    )
    assert wrong.exit_code == 1 and "refused the user name or password" in wrong.output


def test_a_failing_calendar_shows_its_error_in_status(env: dict[str, str], radicale: RadicaleServer) -> None:
    runner = CliRunner()
    gone = radicale.base_url + "/alice/no-such-calendar/"
    added = runner.invoke(
        calendar_app,
        ["add", "alice.sales@firm.example", gone, "--username", "alice", "--password-stdin", "--no-check"],
        input=radicale.users["alice"] + "\n",
        env=env,
    )
    assert added.exit_code == 0, added.output
    synced = runner.invoke(calendar_app, ["sync"], env=env)
    assert synced.exit_code == 1 and "error: No calendar at" in synced.output
    shown = runner.invoke(calendar_app, ["status"], env=env, terminal_width=200)
    assert "ERROR (1x in a row): No calendar at" in shown.output


def test_feed_urls_and_removal(env: dict[str, str]) -> None:
    runner = CliRunner()
    made = runner.invoke(calendar_app, ["feed", "alice.sales@firm.example"], env=env)
    assert made.exit_code == 0, made.output
    assert made.output.startswith("https://crm.example/calendar/") and made.output.strip().endswith(".ics")

    added = runner.invoke(
        calendar_app,
        [
            "add",
            "alice.sales@firm.example",
            "https://cal.example/private-x1y2/basic.ics",
            "--kind",
            "ics",
            "--no-check",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(calendar_app, ["status"], env=env, terminal_width=200)
    assert "https://cal.example/…/basic.ics" in shown.output and "private-x1y2" not in shown.output
    assert runner.invoke(calendar_app, ["remove", "1"], env=env).exit_code == 0
    assert "No calendars yet" in runner.invoke(calendar_app, ["status"], env=env).output


def test_credentials_need_the_key(env: dict[str, str]) -> None:
    runner = CliRunner()
    no_key = {**env, "KUNDEBOT_SECRET_KEY": ""}
    refused = runner.invoke(
        calendar_app,
        [
            "add",
            "alice.sales@firm.example",
            "https://cal.example/secret/basic.ics",
            "--kind",
            "ics",
            "--no-check",
        ],
        env=no_key,
    )
    assert refused.exit_code == 2 and "KUNDEBOT_SECRET_KEY is not set" in refused.output

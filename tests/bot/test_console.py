"""The console, driven as a user would: `kundebot chat` reading lines from standard input."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from store.actor import Actor
from store.db import Store
from store.services import customers


async def chat(database_url: str, script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "120"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "chat", *extra],
        input=script,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_script_adds_a_customer_and_a_contact_and_shows_the_card(
    store: Store, database_url: str, alice: Actor
) -> None:
    result = await chat(
        database_url,
        "customer add Acme AS, 923 609 016, prospect\n"
        "contact add Acme AS, Kari Nordmann, kari@acme.no, +47 912 34 567, CTO\n"
        "log call Acme AS, talked about the renewal\n"
        "customer show 923609016\n",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Created Acme AS (#10001, org 923 609 016)." in out
    assert "Added Kari Nordmann <kari@acme.no> to Acme AS." in out
    assert "Logged call on Acme AS: talked about the renewal" in out
    assert "+4791234567" in out and "talked about the renewal" in out


async def test_customer_find_lists_matches_from_a_piped_script(
    store: Store, database_url: str, alice: Actor
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, alice, "Acme AS")
        await customers.create_customer(s, alice, "Acme Consulting AB")
        await customers.create_customer(s, alice, "Bergen Byggteknikk AS")
    result = await chat(database_url, "customer find acme\n")
    assert result.returncode == 0, result.stderr
    assert "Acme AS" in result.stdout and "Acme Consulting AB" in result.stdout
    assert "Bergen" not in result.stdout


async def test_an_unknown_command_suggests_the_nearest_one(
    store: Store, database_url: str, alice: Actor
) -> None:
    result = await chat(database_url, "custmer fnd acme\n")
    assert "I don't know the command 'custmer fnd acme'. Did you mean `customer find`?" in result.stdout


async def test_the_console_acts_as_the_user_it_is_given(
    store: Store, database_url: str, alice: Actor, bob: Actor
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(s, bob, "Bobs Hemmelige AS", visibility="owner")
    as_alice = await chat(database_url, "customer find hemmelige\n", "--user", "alice.sales@firm.example")
    as_bob = await chat(database_url, "customer find hemmelige\n", "--user", "bob.sales@firm.example")
    assert "No customer matches 'hemmelige'" in as_alice.stdout
    assert "Bobs Hemmelige AS" in as_bob.stdout


async def test_an_unknown_user_gets_a_clear_message(store: Store, database_url: str, alice: Actor) -> None:
    result = await chat(database_url, "", "--user", "nobody@firm.example")
    assert result.returncode == 1
    assert "No user with email nobody@firm.example." in result.stderr

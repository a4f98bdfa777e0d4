"""Charts (bot/charts.py): valid, small, deterministic PNGs over what the user may see; `kundebot chart`."""

from __future__ import annotations

import asyncio
import io
import struct
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from typer.testing import CliRunner

from bot.charts import DPI, SIZE, build_chart, invoicing_png, pipeline_png
from bot.export_cli import chart_app
from store.actor import Actor
from store.db import Store
from store.errors import InvalidInput
from store.models import InvoiceStatus, Role
from store.services import customers
from store.services.dashboard import StageTotal
from store.services.listing import MonthTotal, invoicing_by_month, last_months
from store.services.users import create_user
from tests.store import builders

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT = round(SIZE[0] * DPI), round(SIZE[1] * DPI)
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

STAGES = [
    StageTotal("lead", 1, 12, Decimal("1850000"), Decimal("185000")),
    StageTotal("qualified", 2, 7, Decimal("2400000"), Decimal("600000")),
    StageTotal("proposal", 3, 4, Decimal("980000"), Decimal("490000")),
    StageTotal("negotiation", 4, 1, Decimal("450000"), Decimal("360000")),
]


def months(amounts: list[str]) -> list[MonthTotal]:
    spans = last_months(date(2025, 3, 10), len(amounts))
    return [MonthTotal(p.start, Decimal(a)) for p, a in zip(spans, amounts, strict=True)]


TWELVE = months(["410000", "380000", "0", "512000", "-20000", "455000", "630000", "570000", "515000",
                 "733000", "680000", "127000"])  # fmt: skip


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_valid_png(data: bytes) -> np.ndarray:
    assert data.startswith(PNG_SIGNATURE)
    assert data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    assert png_size(data) == (WIDTH, HEIGHT)
    assert 5_000 < len(data) < 150_000, len(data)
    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        pass
    else:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    return pixels


def test_the_pipeline_chart_is_a_valid_png_of_the_agreed_size() -> None:
    pixels = assert_valid_png(pipeline_png(STAGES, "nb"))
    assert pixels.std() > 0.05  # bars and text, not a blank canvas


def test_the_invoicing_chart_shows_twelve_months_with_a_negative_one() -> None:
    pixels = assert_valid_png(invoicing_png(TWELVE, "en"))
    assert pixels.std() > 0.05


def test_charts_are_deterministic() -> None:
    assert pipeline_png(STAGES, "nb") == pipeline_png(STAGES, "nb")
    assert invoicing_png(TWELVE, "sv") == invoicing_png(TWELVE, "sv")


def test_charts_are_drawn_in_the_users_language() -> None:
    assert pipeline_png(STAGES, "nb") != pipeline_png(STAGES, "en")
    assert invoicing_png(TWELVE, "nb") != invoicing_png(TWELVE, "sv")


def test_empty_data_gives_a_valid_chart_that_says_so() -> None:
    for data in (pipeline_png([], "nb"), invoicing_png([], "en"), invoicing_png(months(["0"] * 12), "sv")):
        assert_valid_png(data)
    assert pipeline_png([], "en") != pipeline_png(STAGES, "en")


def test_a_chart_renders_quickly() -> None:
    pipeline_png(STAGES, "en")  # fonts and caches warm
    started = time.perf_counter()
    for _ in range(3):
        pipeline_png(STAGES, "en")
        invoicing_png(TWELVE, "en")
    per_chart = (time.perf_counter() - started) / 6
    assert per_chart < 1.5, per_chart


# --- over the store ------------------------------------------------------------------------------------


async def nb_user(store: Store, name: str, role: Role = Role.SALES) -> Actor:
    async with store.transaction() as s:
        email = name.lower().replace(" ", ".") + "@firm.example"
        return Actor.of(await create_user(s, name=name, email=email, language="nb", role=role))


async def invoiced_book(store: Store, alice: Actor, bob: Actor) -> None:
    """Alice's customer invoiced in January and March (one draft, one credited), Bob's owner-only customer
    invoiced in February, and an internal project's invoice in March."""
    async with store.transaction() as s:
        acme = await builders.customer(s, alice, "Acme AS")
        await builders.invoice(s, acme, "100000", date(2025, 1, 20))
        await builders.invoice(s, acme, "25000.50", date(2025, 3, 1), status=InvoiceStatus.PAID)
        await builders.invoice(s, acme, "99999", date(2025, 3, 2), status=InvoiceStatus.DRAFT)
        await builders.invoice(s, acme, "88888", date(2025, 3, 3), status=InvoiceStatus.CREDITED)
        await builders.invoice(s, acme, "77777", date(2024, 3, 31))  # thirteen months ago: outside
        internal = await builders.project(s, acme, internal=True)
        await builders.invoice(s, acme, "55555", date(2025, 3, 4), project_id=internal)
        secret = await customers.create_customer(s, bob, "Hemmelig AS", visibility="owner")
        await builders.invoice(s, secret.id, "40000", date(2025, 2, 14))


async def test_invoicing_by_month_counts_what_the_kpis_count_over_what_the_user_may_see(
    store: Store, alice: Actor, bob: Actor
) -> None:
    await invoiced_book(store, alice, bob)
    async with store.reading() as s:
        for_alice = await invoicing_by_month(s, alice, now=NOW)
        for_bob = await invoicing_by_month(s, bob, now=NOW)
    assert [m.month for m in for_alice] == [date(2024, m, 1) for m in range(4, 13)] + [
        date(2025, m, 1) for m in (1, 2, 3)
    ]
    assert [m.amount for m in for_alice][-3:] == [Decimal("100000.00"), Decimal("0.00"), Decimal("25000.50")]
    assert sum(m.amount for m in for_alice[:-3]) == 0
    assert [m.amount for m in for_bob][-3:] == [
        Decimal("100000.00"),
        Decimal("40000.00"),
        Decimal("25000.50"),
    ]


async def test_build_chart_for_a_user_in_their_language(store: Store, bob: Actor, tmp_path: Path) -> None:
    kari = await nb_user(store, "Kari Nordmann")
    await invoiced_book(store, kari, bob)
    async with store.transaction() as s:
        acme = (await customers.find_customers(s, kari, "Acme"))[0].customer.id
        await builders.case(s, kari, acme, "300000", probability=40)
    invoicing = await build_chart(store, kari, "invoicing", now=NOW)
    assert invoicing.filename == "fakturering-2025-03-10.png"
    assert invoicing.title == "Fakturering per måned, siste 12 måneder"
    assert invoicing.mimetype == "image/png"
    assert_valid_png(invoicing.data)
    pipeline = await build_chart(store, kari, "pipeline", now=NOW)
    assert pipeline.filename == "pipeline-2025-03-10.png"
    assert_valid_png(pipeline.data)
    saved = pipeline.save(tmp_path / "charts")  # what the console does, then prints the path
    assert saved == (tmp_path / "charts" / "pipeline-2025-03-10.png").resolve()
    assert saved.read_bytes() == pipeline.data
    with pytest.raises(InvalidInput, match="Unknown chart"):
        await build_chart(store, kari, "pie")


def test_kundebot_chart_writes_the_png_and_prints_its_path(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def seed() -> None:
        async with Store(database_url) as store:
            alice = await nb_user(store, "Alice Admin", Role.ADMIN)
            async with store.transaction() as s:
                acme = await builders.customer(s, alice, "Acme AS")
                await builders.case(s, alice, acme, "300000", probability=40)

    asyncio.run(seed())
    monkeypatch.delenv("KUNDEBOT_USER", raising=False)
    out = tmp_path / "charts" / "pipeline.png"
    result = CliRunner().invoke(
        chart_app, ["pipeline", "--out", str(out)], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    assert_valid_png(out.read_bytes())

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        chart_app, ["invoicing", "--user", "alice.admin@firm.example"], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.strip().splitlines()[-1])
    assert written.parent == tmp_path and written.name.startswith("fakturering-")
    assert_valid_png(written.read_bytes())

    result = CliRunner().invoke(
        chart_app, ["pipeline", "--user", "nobody@firm.example"], env={"DATABASE_URL": database_url}
    )
    assert result.exit_code == 1

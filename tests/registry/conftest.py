"""Fixtures: a fake Brønnøysund and PRH on 127.0.0.1 (tests/servers/registers.py) and providers pointed at it.

The providers get a 0.3 s timeout and tiny backoff pauses, so a register that never answers fails in about
a second and the whole directory stays fast. Nothing here reaches the internet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from registry.brreg import BrregProvider
from registry.prh import PrhProvider
from tests.servers.registers import FakeRegisters, running_registers

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 0.3  # seconds per attempt; the fake's slow answers take longer
RETRIES = 2
BACKOFF = 0.02


@pytest.fixture
async def fake_registers() -> AsyncIterator[FakeRegisters]:
    async with running_registers(FIXTURES) as fake:
        yield fake


@pytest.fixture
async def brreg(fake_registers: FakeRegisters) -> AsyncIterator[BrregProvider]:
    provider = BrregProvider(fake_registers.base_url, timeout=TIMEOUT, retries=RETRIES, backoff=BACKOFF)
    yield provider
    await provider.close()


@pytest.fixture
async def prh(fake_registers: FakeRegisters) -> AsyncIterator[PrhProvider]:
    provider = PrhProvider(fake_registers.base_url, timeout=TIMEOUT, retries=RETRIES, backoff=BACKOFF)
    yield provider
    await provider.close()

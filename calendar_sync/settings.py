"""Calendar sync settings from the environment (SPEC §10: `CALDAV_*`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from calendar_sync.credentials import Cipher
from calendar_sync.ical import DEFAULT_FUTURE_DAYS, DEFAULT_PAST_DAYS


class SettingsError(ValueError):
    pass


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}")
    return value


@dataclass(frozen=True)
class CalendarSettings:
    """How often and how widely calendars are read.

    - `interval`: seconds between syncs of one source (`CALDAV_SYNC_INTERVAL`, default 300);
    - `jitter`: each wait is stretched or shrunk by up to this fraction (`CALDAV_SYNC_JITTER`, 0.1), so
      sources added together do not stay in lock-step;
    - after an error a source waits `interval × 2^errors`, at most `max_backoff` (`CALDAV_MAX_BACKOFF`,
      3600 s);
    - the window recurring events are expanded in (`CALDAV_WINDOW_PAST_DAYS` 30, `CALDAV_WINDOW_FUTURE_DAYS`
      90); `timeout` per request (`CALDAV_TIMEOUT`, 60 s); `concurrency` sources at once per replica
      (`CALDAV_CONCURRENCY`, 4); the lease a replica takes on a source (`lease`, 600 s);
    - `feed_base_url`: the public URL `kundebot serve` is reached at, to print feed addresses
      (`KUNDEBOT_PUBLIC_URL`).
    """

    interval: float = 300.0
    jitter: float = 0.1
    max_backoff: float = 3600.0
    past_days: int = DEFAULT_PAST_DAYS
    future_days: int = DEFAULT_FUTURE_DAYS
    timeout: float = 60.0
    concurrency: int = 4
    lease: float = 600.0
    poll: float = 15.0
    batch: int = 500
    feed_base_url: str | None = None
    cipher: Cipher | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> CalendarSettings:
        env = os.environ if env is None else env
        interval = _number(env, "CALDAV_SYNC_INTERVAL", 300.0, minimum=5)
        return cls(
            interval=interval,
            jitter=min(_number(env, "CALDAV_SYNC_JITTER", 0.1), 0.9),
            max_backoff=_number(env, "CALDAV_MAX_BACKOFF", 3600.0, minimum=interval),
            past_days=int(_number(env, "CALDAV_WINDOW_PAST_DAYS", DEFAULT_PAST_DAYS)),
            future_days=int(_number(env, "CALDAV_WINDOW_FUTURE_DAYS", DEFAULT_FUTURE_DAYS, minimum=1)),
            timeout=_number(env, "CALDAV_TIMEOUT", 60.0, minimum=1),
            concurrency=int(_number(env, "CALDAV_CONCURRENCY", 4, minimum=1)),
            poll=min(15.0, interval),
            feed_base_url=(env.get("KUNDEBOT_PUBLIC_URL") or "").strip().rstrip("/") or None,
            cipher=Cipher.from_env(env),
        )

"""Where the database lives: `DATABASE_URL`, or an SQLite file under the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def default_sqlite_path() -> Path:
    return Path(user_data_dir("kundebot", appauthor=False)) / "kundebot.db"


def database_url(env: dict[str, str] | None = None) -> str:
    """The async SQLAlchemy URL to use, normalising the plain forms people paste into `DATABASE_URL`."""
    env = dict(os.environ) if env is None else env
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    return async_url(url)


def async_url(url: str) -> str:
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgresql+psycopg2://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url

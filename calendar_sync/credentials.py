"""Calendar credentials at rest: Fernet with the key from `KUNDEBOT_SECRET_KEY` (SPEC §7, issue #7).

The key may be a comma-separated list: the first key encrypts, all of them decrypt (key rotation). What is
encrypted is a small JSON object (`{"password": ...}` for CalDAV, `{"url": ..., "password": ...}` for a feed),
so a source's secret never appears in a column, a repr or a log line in clear.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

ENV_KEY = "KUNDEBOT_SECRET_KEY"
HOW_TO_MAKE_ONE = (
    'make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class SecretKeyError(RuntimeError):
    """The secret key is missing, malformed, or does not open the stored credentials."""


@dataclass(frozen=True)
class Secret:
    """Decrypted credentials of one source; the repr never shows them."""

    password: str | None = field(default=None, repr=False)
    url: str | None = field(default=None, repr=False)  # a feed's real URL


class Cipher:
    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise SecretKeyError(f"{ENV_KEY} is empty; {HOW_TO_MAKE_ONE}")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except (ValueError, TypeError) as exc:
            raise SecretKeyError(
                f"{ENV_KEY} is not a Fernet key (32 url-safe base64-encoded bytes); {HOW_TO_MAKE_ONE}"
            ) from exc

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Cipher | None:
        """The configured cipher, or None when no key is set."""
        value = (os.environ if env is None else env).get(ENV_KEY, "").strip()
        return cls(value) if value else None

    def encrypt(self, secret: Secret) -> str:
        data = {k: v for k, v in (("password", secret.password), ("url", secret.url)) if v is not None}
        return self._fernet.encrypt(json.dumps(data).encode()).decode()

    def decrypt(self, token: str) -> Secret:
        try:
            data = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise SecretKeyError(
                f"{ENV_KEY} does not decrypt the stored calendar credentials (was the key changed? "
                "keep the old key after the new one, comma-separated, until every source is saved again)"
            ) from exc
        return Secret(password=data.get("password"), url=data.get("url"))

    def rotate(self, token: str) -> str:
        """Re-encrypt with the first key."""
        return self._fernet.rotate(token.encode()).decode()

    def __repr__(self) -> str:
        return "<Cipher>"


def require_cipher(cipher: Cipher | None) -> Cipher:
    if cipher is None:
        raise SecretKeyError(
            f"Calendar credentials are stored in the database but {ENV_KEY} is not set; "
            f"set it to the key they were saved with ({HOW_TO_MAKE_ONE} for a new installation)"
        )
    return cipher

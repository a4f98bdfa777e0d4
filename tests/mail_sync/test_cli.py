"""`kundebot mail parse FILE.eml --json` (the stable interface of SPEC §5.3) and `kundebot mail status`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def kundebot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200", **(env or {})},
    )  # fmt: skip


@pytest.mark.parametrize("name", ["gmail_forward_nb.eml", "outlook_web_forward_sv.eml", "bcc_send_en.eml"])
def test_mail_parse_prints_the_capture_analysis(name: str) -> None:
    result = kundebot("mail", "parse", str(CORPUS / name), "--json", env={"CAPTURE_ADDRESS": "crm@firma.no"})
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert list(printed) == ["message_id", "subject", "forwarded", "original", "participants"]
    assert printed == EXPECTED[name]


def test_mail_parse_of_a_missing_file_says_so() -> None:
    result = kundebot("mail", "parse", str(CORPUS / "no-such.eml"), "--json")
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_mail_status_before_any_sync_says_so(tmp_path: Path) -> None:
    result = kundebot("mail", "status", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}"})
    assert result.returncode == 0, result.stderr
    assert "has not been read yet" in result.stdout
    assert "Linked 0, waiting for a decision 0" in result.stdout

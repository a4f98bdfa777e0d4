"""Accuracy of the parser on a labelled set (tests/data/nlu/*.jsonl): intent accuracy and exact slot match,
per language and per intent, with a confusion table. Used by the tests, `bench/nlu.py` and `kundebot nlu eval`."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.intents.model import Parse
from bot.intents.parser import parse

DEFAULT_NOW = "2026-11-23T10:00:00+01:00"
DEFAULT_TZ = "Europe/Oslo"
DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "nlu"
_TEXT_SLOTS = frozenset({"customer", "contact_name", "title", "subject"})


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    intent: str
    slots: dict[str, Any]
    now: datetime
    tz: str
    line: int


@dataclass
class Outcome:
    example: Example
    got: Parse

    @property
    def intent_ok(self) -> bool:
        return self.got.intent == self.example.intent

    @property
    def slots_ok(self) -> bool:
        return self.intent_ok and same_slots(self.got.slots, self.example.slots)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def _rate(self, keep: Any, ok: Any) -> float:
        chosen = [o for o in self.outcomes if keep(o)]
        return sum(1 for o in chosen if ok(o)) / len(chosen) if chosen else 1.0

    def intent_accuracy(self, lang: str | None = None) -> float:
        return self._rate(lambda o: lang in (None, o.example.lang), lambda o: o.intent_ok)

    def slot_accuracy(self, lang: str | None = None) -> float:
        return self._rate(lambda o: lang in (None, o.example.lang), lambda o: o.slots_ok)

    def per_intent(self) -> dict[str, tuple[int, float, float]]:
        by: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            by[o.example.intent].append(o)
        return {
            intent: (
                len(items),
                sum(o.intent_ok for o in items) / len(items),
                sum(o.slots_ok for o in items) / len(items),
            )
            for intent, items in sorted(by.items())
        }

    def confusion(self) -> Counter[tuple[str, str]]:
        return Counter((o.example.intent, o.got.intent) for o in self.outcomes if not o.intent_ok)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.slots_ok]


def _same_value(name: str, got: Any, want: Any) -> bool:
    if name in _TEXT_SLOTS and isinstance(got, str) and isinstance(want, str):
        return " ".join(got.lower().split()) == " ".join(want.lower().split())
    if name == "when" and isinstance(got, str) and isinstance(want, str):
        try:
            return datetime.fromisoformat(got) == datetime.fromisoformat(want)
        except ValueError:
            return False
    if name in ("amount", "probability"):
        try:
            return abs(float(got) - float(want)) < 1e-6
        except (TypeError, ValueError):
            return False
    return bool(got == want)


def same_slots(got: dict[str, Any], want: dict[str, Any]) -> bool:
    return got.keys() == want.keys() and all(_same_value(k, got[k], want[k]) for k in want)


def load(path: Path) -> list[Example]:
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        examples.append(
            Example(
                text=row["text"],
                lang=row["lang"],
                intent=row["intent"],
                slots=row.get("slots", {}),
                now=datetime.fromisoformat(row.get("now", DEFAULT_NOW)),
                tz=row.get("tz", DEFAULT_TZ),
                line=number,
            )
        )
    return examples


def load_split(name: str) -> list[Example]:
    """A split by name: "heldout" is every held-out file (heldout.jsonl, heldout2.jsonl, ...), "dev" every
    development file; any other name is that one file ("dev4", "heldout2")."""
    if name in ("heldout", "dev"):
        paths = sorted(DATA.glob(f"{name}*.jsonl"))
    else:
        paths = [DATA / f"{name}.jsonl"]
    return [example for path in paths for example in load(path)]


def evaluate(examples: list[Example], *, use_language_prior: bool = True) -> Report:
    """Parse every example; the labelled language is the user's setting (the prior), as in chat."""
    report = Report()
    for ex in examples:
        got = parse(ex.text, lang=ex.lang if use_language_prior else None, now=ex.now, tz=ex.tz)
        report.outcomes.append(Outcome(ex, got))
    return report

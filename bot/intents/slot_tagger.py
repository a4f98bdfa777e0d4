"""A trained tagger for the slots that are stretches of the message: customer, contact, title and subject.

The rules cut names and topics by the small words around them ("hos Acme", "med Kari", "om fornyelse"). Where
nothing marks the boundary ("Skanör Golfklubb medlemsportal", "log call Nordvik Bygg Kari offer"), they guess,
and fresh text showed those guesses to be the parser's commonest error. This tagger is a linear-chain CRF
(python-crfsuite) over the same words the rules read, with the cues the lexicon marks on them, the slots with a
shape already blanked ("#when") and the intent the rules chose. It learns where the labelled data puts the
boundaries. It is trained by `kundebot nlu train` on the dev files only (never the held-out split), with fixed
settings, in about half a minute (it also learns from copies of the lines with other customers' names,
`augment.py`), and shipped next to the classifier (`bot/intents/model/slots-*.crfsuite`).

`revise` decides between the two readings of a slot: the tagger's value wins where it is sure of it (`TRUST`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycrfsuite

from bot.intents.classifier import MODEL_DIR
from bot.intents.lexicon import FIRST_NAMES, LEGAL_FORMS, TITLE_SUFFIXES, TITLE_WORDS
from bot.intents.model import INTENT_SLOTS
from bot.intents.text import BLANK, fold
from bot.intents.vocabulary import common_english, zipf

if TYPE_CHECKING:
    from bot.intents.parser import Reading, Word

TAGGED_SLOTS = frozenset({"customer", "contact_name", "title", "subject"})
# Two taggers, because a to-do's subject holds the names ("ringe Kari Nordmann", "send tilbud til Acme AS"):
# one tags the names, the other the subject.
LAYERS: dict[str, tuple[str, ...]] = {"names": ("customer", "contact_name", "title"), "subject": ("subject",)}
# The tagger's value for a slot replaces the rules' when it is at least this sure of it (the lowest probability of
# its tags over the words concerned). Chosen on dev14, a dev file the rules had never been tuned on.
TRUST = 0.7
_TITLE_WORDS = frozenset(fold(t) for t in TITLE_WORDS if " " not in t)
_TITLE_SUFFIXES = tuple(fold(s) for s in TITLE_SUFFIXES if " " not in s)
# Training settings: L1 and L2 regularisation (crfsuite's lbfgs), enough iterations to converge on a few thousand
# messages, and features seen at least twice.
_PARAMS = {"c1": 0.02, "c2": 0.1, "max_iterations": 150, "feature.minfreq": 2}


def _shape(text: str) -> str:
    out: list[str] = []
    for ch in text[:6]:
        kind = "X" if ch.isupper() else "x" if ch.isalpha() else "d" if ch.isdigit() else ch
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)


def _shaped_slot(w: Word, shaped: list[tuple[int, int, str]]) -> str | None:
    if BLANK not in w.low:
        return None
    return next((slot for start, end, slot in shaped if start < w.end and w.start < end), "blank")


def _own(w: Word, shaped: list[tuple[int, int, str]]) -> tuple[str, ...]:
    """What one word says by itself."""
    slot = _shaped_slot(w, shaped)
    if slot is not None:
        return (f"slot={slot}",)  # a date, an amount, an email …: what it was, not its digits
    return _word_features(w.text, w.low, w.labels, w.boundary)


@lru_cache(maxsize=16384)
def _word_features(text: str, low: str, labels: frozenset[str], boundary: bool) -> tuple[str, ...]:
    # (the same words come back in message after message: kept, as the parser keeps its word readings)
    out = [f"w={low}", f"sh={_shape(text)}"]
    if len(low) > 3:
        out += [f"suf={low[-3:]}", f"pre={low[:3]}"]
    out += [f"cue={label}" for label in sorted(labels)]
    if boundary:
        out.append("boundary")
    if low in FIRST_NAMES:
        out.append("first_name")
    if low in LEGAL_FORMS:
        out.append("legal_form")
    if low in _TITLE_WORDS or (len(low) > 5 and low.endswith(_TITLE_SUFFIXES)):
        out.append("title_word")
    if any(ch.isalpha() for ch in low):
        # how everyday the word is in English and in the Nordic languages: a company's own name is rarely either
        en, nb, sv = zipf(low)
        out += [f"zen={int(en)}", f"znordic={int(max(nb, sv))}"]
        if common_english(low):
            out.append("common_english")
        elif max(en, nb, sv) == 0:
            out.append("no_everyday_word")
    return tuple(out)


_OFFSETS = (-2, -1, 1, 2)


@lru_cache(maxsize=16384)
def _seen_from(own: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """What a word shows its neighbours at each offset: its features without the affixes and frequencies."""
    seen = [f for f in own if not f.startswith(("suf=", "pre=", "zen=", "znordic="))]
    return tuple(tuple(f"{offset}:{f}" for f in seen) for offset in _OFFSETS)


def features(reading: Reading) -> list[list[str]]:
    """The tagger's view of each word: the word, its neighbours', and the intent the rules chose."""
    words, shaped = reading.words, reading.shaped
    own = [_own(w, shaped) for w in words]
    seen = [_seen_from(features) for features in own]
    intent = f"intent={reading.intent}"
    rows: list[list[str]] = []
    for k, w in enumerate(words):
        row = [intent, f"lang={reading.language}", *own[k]]
        if k == 0:
            row.append("first")
        if k == len(words) - 1:
            row.append("last")
        for at, offset in enumerate(_OFFSETS):
            j = k + offset
            if 0 <= j < len(words):
                row += seen[j][at]
            else:
                row.append(f"{offset}:edge")
        if k > 0:
            row.append(f"bigram={words[k - 1].low}|{w.low}")
        if w.text[:1].isupper():
            row.append(f"{intent}|cap")
        rows.append(row)
    return rows


def model_file(layer: str, directory: Path = MODEL_DIR) -> Path:
    return directory / f"slots-{layer}.crfsuite"


def gold_tags(reading: Reading, slots: dict[str, Any], layer: str) -> list[str] | None:
    """BIO tags for the words from labelled slots, or None when a value is not a run of whole words."""
    words = reading.words
    tags = ["O"] * len(words)
    folded = fold(reading.original)
    for slot in LAYERS[layer]:
        value = slots.get(slot)
        if not isinstance(value, str) or not value.strip():
            continue
        wanted = fold(" ".join(value.split()))
        placed = False
        for at in _occurrences(folded, wanted):
            first = next((k for k, w in enumerate(words) if w.start == at), None)
            last = next((k for k, w in enumerate(words) if w.end == at + len(wanted)), None)
            if first is None or last is None or last < first or any(t != "O" for t in tags[first : last + 1]):
                continue
            tags[first : last + 1] = [f"B-{slot}"] + [f"I-{slot}"] * (last - first)
            placed = True
            break
        if not placed:
            return None
    return tags


def _occurrences(text: str, part: str) -> Iterable[int]:
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


@dataclass(frozen=True)
class Tagged:
    """One slot the tagger found: its value and how sure it is of it."""

    value: str
    confidence: float


@cache
def _tagger(layer: str, directory: Path) -> tuple[pycrfsuite.Tagger, frozenset[str]] | None:
    path = model_file(layer, directory)
    if not path.exists():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger, frozenset(tagger.labels())


def disagreements(reading: Reading, directory: Path = MODEL_DIR) -> dict[str, Tagged]:
    """The slots (among those the intent carries) for which the taggers find a value the rules did not, with how
    sure they are of it; nothing when no model is installed."""
    carried = set(INTENT_SLOTS.get(reading.intent, ())) - reading.settled
    out: dict[str, Tagged] = {}
    items: pycrfsuite.ItemSequence | None = None
    for layer, slots in LAYERS.items():
        loaded = _tagger(layer, directory)
        if loaded is None or not reading.words or not any(slot in carried for slot in slots):
            continue
        items = items if items is not None else pycrfsuite.ItemSequence(features(reading))
        tagger, labels = loaded
        tagger.set(items)
        tags = tagger.tag()
        for slot in slots:
            if slot not in carried:
                continue
            said = reading.slots.get(slot)
            runs = [(first, last, _value(reading, first, last)) for first, last in _runs(tags, slot)]
            if all(isinstance(said, str) and fold(said) == fold(value) for *_, value in runs):
                continue  # (the marginals are the slow part: only where the two disagree)
            found = [
                Tagged(value, _sureness(tagger, labels, tags, slot, first, last))
                for first, last, value in runs
            ]
            out[slot] = max(found, key=lambda t: t.confidence)
    return out


def _value(reading: Reading, first: int, last: int) -> str:
    return reading.original[reading.words[first].start : reading.words[last].end]


def _sureness(
    tagger: pycrfsuite.Tagger, labels: frozenset[str], tags: list[str], slot: str, first: int, last: int
) -> float:
    """The lowest probability of the tags over a run of words, and of the word after it not continuing it."""
    sure = min(tagger.marginal(tags[k], k) for k in range(first, last + 1))
    if last + 1 < len(tags) and f"I-{slot}" in labels:
        sure = min(sure, 1.0 - tagger.marginal(f"I-{slot}", last + 1))
    return float(sure)


def _runs(tags: list[str], slot: str) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for k, t in enumerate(tags):
        if t == f"B-{slot}" or (t == f"I-{slot}" and (k == 0 or tags[k - 1][2:] != slot)):
            runs.append((k, k))
        elif t == f"I-{slot}":
            runs[-1] = (runs[-1][0], k)
    return runs


def revise(reading: Reading, trust: float = TRUST, directory: Path = MODEL_DIR) -> dict[str, Any]:
    """The slots of a reading, with the tagger's value wherever it is sure of one and the rules say otherwise.

    The tagger only adds or replaces a value: a slot it finds nothing for keeps what the rules found (on fresh
    text, taking those away lost more than it won)."""
    slots = dict(reading.slots)
    for slot, t in disagreements(reading, directory).items():
        said = slots.get(slot)
        if t.confidence < trust or (isinstance(said, str) and fold(said) == fold(t.value)):
            continue
        if isinstance(said, str) and fold(t.value) in (fold(said) + "s", fold(said) + ":s"):
            continue  # "Uppsala Datas affär": the rules cut the genitive off inside the word, the tagger cannot
        if _inside_a_hyphenated_word(reading.original, t.value):
            continue  # "Maria López-Fernández" out of "Ana-Maria López-Fernández": no name starts mid-word
        slots[slot] = t.value
    return slots


def _inside_a_hyphenated_word(original: str, value: str) -> bool:
    """Whether the value begins or ends at a hyphen inside a word of the message, wherever it is found."""
    at = original.find(value)
    if at < 0:
        return False
    end = at + len(value)
    starts_inside = at >= 2 and original[at - 1] == "-" and original[at - 2].isalnum()
    ends_inside = end + 1 < len(original) and original[end] == "-" and original[end + 1].isalnum()
    return starts_inside or ends_inside


def train_from_readings(
    rows: list[tuple[Reading, dict[str, Any]]], directory: Path = MODEL_DIR
) -> dict[str, Any]:
    """Train both taggers on (reading, labelled slots) pairs and save them; the same rows give the same models."""
    started = time.perf_counter()
    rows_of = [(reading, slots, features(reading)) for reading, slots in rows if reading.words]
    meta: dict[str, Any] = {}
    for layer in LAYERS:
        trainer = pycrfsuite.Trainer(verbose=False)
        used = 0
        for reading, slots, xseq in rows_of:
            tags = gold_tags(reading, slots, layer)
            if tags is not None:
                trainer.append(xseq, tags)
                used += 1
        trainer.set_params(_PARAMS)
        directory.mkdir(parents=True, exist_ok=True)
        trainer.train(str(model_file(layer, directory)))
        meta[layer] = {"messages": used, "skipped": len(rows) - used}
    _tagger.cache_clear()
    meta["seconds"] = round(time.perf_counter() - started, 1)
    return meta


def train_from_files(paths: list[Path], directory: Path = MODEL_DIR) -> dict[str, Any]:
    """`kundebot nlu train`, after the classifier: read each labelled message as the rules do, and copies of it
    with other customers' names (`augment`), then train."""
    from bot.intents.augment import with_customers_swapped
    from bot.intents.evaluate import load
    from bot.intents.parser import read

    labelled = [ex for path in paths for ex in load(path)]
    examples = labelled + with_customers_swapped(labelled)
    rows = [(read(ex.text, lang=ex.lang, now=ex.now, tz=ex.tz), ex.slots) for ex in examples]
    return train_from_readings(rows, directory)

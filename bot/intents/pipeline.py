"""spaCy pipelines, one per language: the language's own tokenizer and a rule component that marks the cue
phrases of `lexicon.CUES` on the (folded) text. Blank pipelines only: nothing is downloaded."""

from __future__ import annotations

import re
from functools import cache

import spacy
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from bot.intents.lexicon import CUES
from bot.intents.text import fold, split_compounds

SPACY_LANG = {"en": "en", "nb": "nb", "sv": "sv"}


# One-word cues this long are also found with one typo ("custmer", "kontakr"); shorter words are too often
# a different word one letter away ("about" and "abort", "boten" and "möten").
FUZZY_MIN_LENGTH = 6
# Only cues whose misspellings are common and cannot be another everyday word ("fakturere" is not "fakturert").
FUZZY_LABELS = frozenset(
    {
        "CUSTOMER",
        "CONTACT",
        "TASK",
        "MEETING",
        "CALL",
        "DEAL",
        "SHOW",
        "FIND",
        "CREATE",
        "LOG",
        "CANCEL",
        "PIPELINE",
    }
)
# Shorter cues are still found with two neighbouring letters swapped ("kudne", "tsak"), the commonest slip of
# fast thumbs, which rarely makes another word.
SWAP_MIN_LENGTH = 4
# ("moev X to negotiation": a swap in a short update verb; a longer one within one edit is often another word,
# "marker" and "market")
SWAP_LABELS = FUZZY_LABELS | {"UPDATE"}
# A letter typed three times or more ("calll", "meetinggg") is one or two of it.
_TRIPLED = re.compile(r"(\w)\1{2,}")


class CueMarker:
    """Marks every cue phrase in `doc.spans["cues"]` (longest match wins where phrases overlap)."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.single: dict[str, str] = {}  # one-word cue -> label, for typo-tolerant matching
        self.short: dict[str, str] = {}  # shorter one-word cues, found with two letters swapped
        for label, phrases in CUES.items():
            docs = [nlp.make_doc(split_compounds(fold(p))) for p in phrases]
            self.matcher.add(label, docs)
            for d in docs:
                if (
                    len(d) == 1
                    and len(d.text) >= FUZZY_MIN_LENGTH
                    and d.text.isalpha()
                    and label in FUZZY_LABELS
                ):
                    self.single.setdefault(d.text, label)
                if (
                    len(d) == 1
                    and SWAP_MIN_LENGTH <= len(d.text) < FUZZY_MIN_LENGTH
                    and d.text.isalpha()
                    and label in SWAP_LABELS
                ):
                    self.short.setdefault(d.text, label)
        self.words = {**self.short, **self.single}  # every one-word cue of FUZZY_LABELS, for stuck keys
        self.by_length: dict[int, list[str]] = {}
        for word in self.single:
            self.by_length.setdefault(len(word), []).append(word)

    def __call__(self, doc: Doc) -> Doc:
        spans = list(self.matcher(doc, as_spans=True))
        covered = {i for span in spans for i in range(span.start, span.end)}
        for token in doc:
            if token.i in covered or len(token.text) < SWAP_MIN_LENGTH or not token.is_alpha:
                continue
            label = self._stuck(token.text)
            if label is None:
                label = (
                    self._near(token.text)
                    if len(token.text) >= FUZZY_MIN_LENGTH
                    else self._swapped(token.text)
                )
            if label is None and len(token.text) == FUZZY_MIN_LENGTH - 1:
                label = self._dropped(token.text)  # "samtl", "kontkt": one letter of a longer cue left out
            if label is not None:
                spans.append(Span(doc, token.i, token.i + 1, label=label))
        doc.spans["cues"] = sorted(_longest_first(spans), key=lambda s: s.start)
        return doc

    def _stuck(self, word: str) -> str | None:
        """The label of a one-word cue typed with a key held too long ("calll", "meetinggg")."""
        if _TRIPLED.search(word) is None:
            return None
        return self.words.get(_TRIPLED.sub(r"\1\1", word)) or self.words.get(_TRIPLED.sub(r"\1", word))

    def _swapped(self, word: str) -> str | None:
        for k in range(len(word) - 1):
            label = self.short.get(word[:k] + word[k + 1] + word[k] + word[k + 2 :])
            if label is not None:
                return label
        return None

    def _dropped(self, word: str) -> str | None:
        """The label of a one-word cue one letter longer than `word` that has all its letters, in order."""
        candidates = [
            c for c in self.by_length.get(len(word) + 1, []) if c[0] == word[0]
        ]  # ("under", "kunder")
        hit = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=1)
        return self.single[hit[0]] if hit is not None else None

    def _near(self, word: str) -> str | None:
        """The label of a one-word cue within one edit (insert, delete, substitute, swap) of `word`."""
        for length in (len(word) - 1, len(word), len(word) + 1):
            candidates = self.by_length.get(length)
            if not candidates:
                continue
            hit = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=1)
            if hit is not None:
                return self.single[hit[0]]
        return None


def _longest_first(spans: list[Span]) -> list[Span]:
    """Where phrases of different cues overlap, the longer wins ("customers called" is a search, not a call);
    phrases of the same length both stay ("avtale" is a deal and a booking)."""
    return [
        span
        for span in spans
        if not any(
            other.label != span.label
            and len(other) > len(span)
            and other.start < span.end
            and span.start < other.end
            for other in spans
        )
    ]


@Language.factory("kundebot_cues")
def make_cue_marker(nlp: Language, name: str) -> CueMarker:
    return CueMarker(nlp)


@cache
def pipeline(lang: str) -> Language:
    nlp = spacy.blank(SPACY_LANG.get(lang, "en"))
    nlp.add_pipe("kundebot_cues")
    return nlp

"""spaCy pipelines, one per language: the language's own tokenizer and a rule component that marks the cue
phrases of `lexicon.CUES` on the (folded) text. Blank pipelines only: nothing is downloaded."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from bot.intents.lexicon import CUES
from bot.intents.text import fold, split_compounds

SPACY_LANG = {"en": "en", "nb": "nb", "sv": "sv"}


class CueMarker:
    """Marks every cue phrase in `doc.spans["cues"]` (longest match wins where phrases overlap)."""

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, phrases in CUES.items():
            self.matcher.add(label, [nlp.make_doc(split_compounds(fold(p))) for p in phrases])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc, as_spans=True)
        doc.spans["cues"] = _longest_first(matches)
        return doc


def _longest_first(spans: list[Span]) -> list[Span]:
    """Where phrases of different cues overlap, the longer wins ("customers called" is a search, not a call);
    phrases of the same length both stay ("avtale" is a deal and a booking)."""
    return [
        span
        for span in spans
        if not any(
            other.label != span.label and len(other) > len(span) and other.start < span.end and span.start < other.end
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

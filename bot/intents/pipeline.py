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
    """Overlapping phrases of the same label keep the longest; different labels may overlap ("avtale")."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if not any(k.label == span.label and k.start < span.end and span.start < k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


@Language.factory("kundebot_cues")
def make_cue_marker(nlp: Language, name: str) -> CueMarker:
    return CueMarker(nlp)


@cache
def pipeline(lang: str) -> Language:
    nlp = spacy.blank(SPACY_LANG.get(lang, "en"))
    nlp.add_pipe("kundebot_cues")
    return nlp

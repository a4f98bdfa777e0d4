"""Company-name normalisation for duplicate checks and search (SPEC §3)."""

from __future__ import annotations

import re
import unicodedata

# Legal-form words and abbreviations across the Nordics and common foreign forms.
LEGAL_FORMS = frozenset(
    """
    as asa ans da enk nuf sa ba ks
    ab hb kb ek publ
    oy oyj abp ay ky tmi
    aps a/s i/s ivs k/s p/s amba
    ltd limited plc llc inc corp co gmbh bv nv ag sarl srl
    """.split()
)
_SEPARATORS = re.compile(r"[^\w/]+", re.UNICODE)


def name_key(name: str) -> str:
    """Case-, punctuation- and legal-form-insensitive key: "ACME as." and "Acme AS" both give "acme"."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " og ")
    tokens = [t.strip("/") for t in _SEPARATORS.split(text)]
    tokens = [t for t in tokens if t]
    # Legal forms are dropped only at the ends ("AB Volvo", "Acme AS"), never from the middle of a name.
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    while len(tokens) > 1 and tokens[0] in LEGAL_FORMS:
        tokens.pop(0)
    return " ".join(t.replace("/", "") for t in tokens)

"""How common a word is in English, Norwegian and Swedish, from wordfreq's word lists (they ship inside the
package; nothing is downloaded).

A phone's Title Case runs a company straight into its deal or topic: "Log A Call With Aurland Fjordcruise Spring
Charter Pricing Yesterday". A reader splits it where the company's own words give way to the everyday English a
deal or a topic is named in. A fixed list of such words only knows the topics it was written from; a frequency list
of the language knows "charter", "substation" and "wireframes" too.
"""

from __future__ import annotations

from functools import lru_cache

import wordfreq

# On the Zipf scale (log10 of occurrences per billion words), 3 is about once per million: words like "charter",
# "pricing", "scanner"; not "fjordcruise" or "treindustri".
COMMON = 3.0


@lru_cache(maxsize=65536)
def zipf(word: str) -> tuple[float, float, float]:
    """The word's Zipf frequency in English, Norwegian (bokmål) and Swedish."""
    return (
        wordfreq.zipf_frequency(word, "en"),
        wordfreq.zipf_frequency(word, "nb"),
        wordfreq.zipf_frequency(word, "sv"),
    )


def common_english(word: str) -> bool:
    """A common English word, at least as common in English as in Norwegian or Swedish ("pricing", "app"; not
    "marina", which Swedish uses as much, nor "bygg")."""
    if not word.replace("-", "").isalpha():
        return False
    en, nb, sv = zipf(word)
    return en >= COMMON and en >= max(nb, sv)

"""Which of English, Norwegian (bokmål) and Swedish a message is written in.

Short chat messages carry little evidence, so the user's own language is the prior and a message only
switches language on words (or letters) that belong to another one.
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "nb", "sv")

# Words typical of one language (folded: ø -> o, å/ä -> a, ö -> o); shared words ("med", "hos") are left out.
_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and with to at for of is are was what how who show find new add create customer contact meeting "
        "tomorrow today call log task please about next week month deal my our we you can this that from "
        "remind me set up book schedule look up help thanks thank hi hello doing numbers pipeline figures "
        "open won lost stage called spoke talked had email note yesterday friday monday tuesday wednesday "
        "thursday any which named search his her their as an a on in up be it all it's let's".split()
    ),
    "nb": frozenset(
        "og ikke jeg deg meg hva hvordan hvem hvilke kunde kunden kunder kontakt kontakten mote moter i morgen imorgen "
        "legg la til vis finn sok ny nytt nye opprett logg samtale ringte snakket oppgave husk minn neste uke "
        "maned fredag mandag tirsdag lordag sondag etter sla opp noen hadde gar det er vi har pa dag idag kl klokka "
        "tilbud vunnet tapt salgsmulighet mulighet avtalen nokkeltall hjelp takk hei hallo avbryt glem tall "
        "fakturering omsetning dette denne skal kan du om ogsa veldig bare ett et ei sann sannsynlighet prosent "
        "kroner hvordan gar firma selskap bedrift navn slutten etter hos vil oss mine".split()
    ),
    "sv": frozenset(
        "och inte jag dig mig vad hur vem vilka kund kunden kunder kontakt kontakten mote moten imorgon i morgon "
        "lagg till visa hitta sok ny nytt nya skapa logga samtal ringde pratade uppgift kom ihag paminn nasta vecka "
        "manad fredag mandag tisdag lordag sondag efter sla upp nagon nagra hade igar det ar vi har pa dag idag "
        "klockan kl offert vunnen forlorad affar affaren mojlighet avtalet nyckeltal hjalp tack hej hejsan avbryt "
        "glom strunt siffror fakturering omsattning detta denna ska kan du om ocksa mycket bara ett sannolikhet "
        "procent kronor foretag bolag namn slutet kolla hos vill oss mina".split()
    ),
}
_LETTERS = {"nb": re.compile(r"[æø]", re.I), "sv": re.compile(r"[äö]", re.I)}
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
_WRITTEN_WORD = re.compile(r"[^\W\d_][\w'&-]*")


def detect_language(original: str, folded: str, prior: str | None = None) -> str:
    """The most likely language; `prior` (the user's setting) wins ties and needs less evidence."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for word in _TOKEN.findall(folded):
        for lang in LANGUAGES:
            if word in _WORDS[lang]:
                scores[lang] += 1.0
    for m in _WRITTEN_WORD.finditer(original):
        word = m.group(0)
        found = {lang: len(letters.findall(word)) for lang, letters in _LETTERS.items()}
        if not any(found.values()):
            continue
        before = original[: m.start()].rstrip()
        named = word[:1].isupper() and bool(before) and before[-1] not in ".!?:\n"
        for lang, count in found.items():
            # ("… | Malmström Verktyg AB | mobil 934 56 789": a letter inside a name says less about the language)
            scores[lang] += (0.5 if named else 2.0) * count
    if prior in scores:
        scores[prior] += 1.5
    # Ties go to the prior, then to Norwegian (the firm's home) over Swedish and English.
    order = [prior] if prior in scores else []
    order += [lang for lang in ("nb", "sv", "en") if lang not in order]
    return max(order, key=lambda lang: scores[lang])

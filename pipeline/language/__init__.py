"""Language identification per story (pure): text -> (BCP-47 code, confidence). Never raises.

How a text gets its language (:func:`detect`):

1. The script decides first. A script only one language writes (Hangul, Greek, Thai, kana, ...) names
   the language outright; otherwise only the languages written in that script stay candidates.
   Latin names inside a text in another script are left out of what the engines see.
2. An engine ranks the candidates: fastText's lid.176 (``fasttext``), langdetect (``langdetect``), or
   fastText with langdetect as a second opinion when fastText's first guess is not clear
   (``fasttext+langdetect``, the default: see the README for the measurements behind it).
3. Each candidate's score is weighed by how common the language is in news (a Wikipedia-trained
   engine is as ready to say "Alemannic" as "German"), by a language hint when the caller has one
   (the site's declared language), and by its alphabet: a letter the language does not write, in
   a lowercase (so not a name) word, counts against it. That is what separates Turkish, Azerbaijani
   and Kurmanji, or Arabic, Persian, Sorani, Pashto and Urdu, which engines confuse.
"""

from __future__ import annotations

import logging
import re
from typing import Literal, NamedTuple, get_args

from pipeline.language import codes, engines, scripts, serbocroatian
from pipeline.messages import UNDETERMINED

log = logging.getLogger(__name__)

Engine = Literal["fasttext+langdetect", "fasttext", "langdetect"]
ENGINES: tuple[str, ...] = get_args(Engine)
DEFAULT_ENGINE: Engine = "fasttext+langdetect"

#: The script and the case of the words are read from this much of the text, the alphabet from this.
SCRIPT_CHARS = 200
HEAD_CHARS = 400
#: Fewer letters than this carry too little signal to name a language.
MIN_LETTERS = 3
#: The engines see this much of a text: more does not change the answer for one language's text.
MAX_CHARS = 1000
#: Below this share (after weighing), the fastText+langdetect engine asks langdetect too: fastText's
#: confidence means less on a headline than on a paragraph.
SECOND_OPINION_BELOW = 0.6
SECOND_OPINION_BELOW_SHORT = 0.9
SHORT_LETTERS = 100
#: A letter the language does not write, in a lowercase word, multiplies its score by this much...
FOREIGN_LETTER = 0.1
#: ...or by this much for a plain ASCII letter (English loanwords: "web" in a Turkish headline).
FOREIGN_ASCII_LETTER = 0.5
#: A first guess this sure, that nothing else argues against, is the answer (see _clear_winner).
CLEAR = 0.9
#: Every language weighed starts from this, so prior and alphabet can decide when the engine is silent.
FLOOR = 1e-4
#: A language the engine cannot name starts from this share of the engine's best guess.
UNKNOWN_SHARE = 0.3
#: ...or by this much when it only turns up in capitalised words (names).
FOREIGN_LETTER_IN_NAME = 0.5
#: The site's declared language counts this many times its usual weight.
HINT_WEIGHT = 4.0
#: CLD2 is believed (see _cld2_view) when its language covers this share of the text.
CLD2_SHARE = 0.7
#: When CLD2 names fastText's (unclear) first choice for this share of the text, langdetect (slow) is
#: not asked.
CLD2_AGREES = 0.9
#: Croatian, Bosnian, Serbian (in Latin script) and lid.176's "Serbo-Croatian".
SOUTH_SLAVIC = frozenset({"hr", "bs", "sr", "sh"})
#: Letters without which a language is not believed (the engines over-predict these).
REQUIRED_MARKERS = {"yue": "嘅咗係唔冇嘢啲佢哋喺", "yi": "װױײﬠײַ"}


class Detection(NamedTuple):
    lang: str
    confidence: float


UNKNOWN = Detection(UNDETERMINED, 0.0)
_LINKS = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|@\w+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect(text: str, engine: str = DEFAULT_ENGINE, hint: str | None = None) -> Detection:
    """The language of ``text`` and a confidence in [0, 1]; ``("und", 0.0)`` when it cannot tell.

    ``hint``, a language the caller expects (the site's declared language), tips close calls only.
    """
    if engine not in ENGINES:  # a caller's mistake (settings validate the name), not a text's
        raise ValueError(f"unknown language engine {engine!r}; choose from {', '.join(ENGINES)}")
    try:
        found = _detect(text, engine, hint)
        if found.lang in serbocroatian.GROUP and scripts.main_script(text[:SCRIPT_CHARS])[0] == scripts.LATIN:
            found = found._replace(lang=serbocroatian.tie_break(text[:MAX_CHARS], found.lang))
        return found
    except Exception:  # one odd text must never stop a worker: log it and call it undetermined
        log.warning("language detection failed", exc_info=True, extra={"engine": engine})
        return UNKNOWN


def _detect(text: str, engine: str, hint: str | None) -> Detection:
    sample = text[:MAX_CHARS]
    if "://" in sample or "www." in sample or "@" in sample:
        sample = _LINKS.sub(" ", sample)
    script, letters = scripts.main_script(sample[:SCRIPT_CHARS])
    if script is None or letters < MIN_LETTERS:
        return UNKNOWN
    if script in codes.SINGLE_LANGUAGE_SCRIPTS:
        return Detection(codes.SINGLE_LANGUAGE_SCRIPTS[script], 1.0)
    allowed = codes.SCRIPT_LANGUAGES.get(script)
    if allowed is None:  # a script the engines do not cover
        return UNKNOWN
    if script != scripts.LATIN:
        sample = scripts.without_latin_words(sample)
    upper, title = _case(sample)
    if upper:
        sample = sample.replace("İ", "i").lower()
    evidence = _Evidence(sample[:HEAD_CHARS], script)

    if engine == "langdetect":
        specialist = (
            _cld2_view(engines.cld2_candidates(sample), evidence, []) if script == scripts.LATIN else None
        )
        if specialist is not None:
            return specialist
        known = engines.LANGDETECT_LANGUAGES
        candidates = engines.langdetect_candidates(sample)
        scores = _weigh(candidates, _weights(candidates, allowed, known, evidence, sample, hint), known)
    else:
        candidates = engines.fasttext_candidates(sample.lower() if title else sample)
        clear = _clear_winner(candidates, allowed, evidence)
        if clear is not None:
            return clear
        cld2 = engines.cld2_candidates(sample)
        specialist = _cld2_view(cld2, evidence, candidates) if script == scripts.LATIN else None
        if specialist is not None:
            return specialist
        weights = _weights(candidates, allowed, None, evidence, sample, hint)
        scores = _weigh(candidates, weights)
        bar = SECOND_OPINION_BELOW_SHORT if letters < SHORT_LETTERS else SECOND_OPINION_BELOW
        best = max(scores.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        if engine == "fasttext+langdetect" and best is not None and best[1] < bar:
            if cld2 and codes.FOLD.get(cld2[0][0], cld2[0][0]) == best[0] and cld2[0][1] >= CLD2_AGREES:
                return Detection(best[0], round(best[1], 4))  # a second engine agrees: no third needed
            second = engines.langdetect_candidates(sample)
            more = _weights(second, allowed, None, evidence, sample, hint)
            weights = more | weights
            scores = _second_opinion(_weigh(candidates, weights), _weigh(second, weights))
    if not scores:
        return UNKNOWN
    lang, score = max(scores.items(), key=lambda kv: (kv[1], kv[0]))
    return Detection(lang, round(score, 4))


def _cld2_view(
    found: engines.Candidates, evidence: _Evidence, candidates: engines.Candidates
) -> Detection | None:
    """CLD2's answer where the other engines cannot give one: a language they have no label for
    (Zulu, Hausa, ...), or which of Croatian, Bosnian and Serbian a Latin text is (lid.176 reads all
    three as Croatian or "Serbo-Croatian"). Only when CLD2 names it for most of the text, and its
    alphabet has every letter of the text's lowercase words (CLD2 reads Kurmanji headlines as Hausa
    or Shona: "ş", "ê" and "û" say otherwise)."""
    if not found or found[0][1] < CLD2_SHARE:
        return None
    lang, share = codes.FOLD.get(found[0][0], found[0][0]), found[0][1]
    first = codes.FOLD.get(candidates[0][0], candidates[0][0]) if candidates else None
    if lang not in codes.CLD2_FIRST and not (lang in SOUTH_SLAVIC and first in SOUTH_SLAVIC):
        return None
    alphabet = codes.ALPHABETS.get(lang)
    if alphabet is not None and not evidence.letters <= alphabet and evidence.split()[0] - alphabet:
        return None
    return Detection(lang, round(share, 4))


def _clear_winner(
    candidates: engines.Candidates, allowed: frozenset[str], evidence: _Evidence
) -> Detection | None:
    """The engine's first guess when nothing below could change it (most texts): it is sure, the
    language is written in this script, common in news, and its alphabet has every letter seen."""
    if not candidates or candidates[0][1] < CLEAR:
        return None
    label, probability = candidates[0]
    lang = codes.FOLD.get(label, label)
    alphabet = codes.ALPHABETS.get(lang)
    if (
        lang not in allowed
        or codes.prior(lang) < 1.0
        or lang in REQUIRED_MARKERS
        or (alphabet is not None and not evidence.letters <= alphabet)
    ):
        return None
    return Detection(lang, round(probability, 4))


def alphabet_fit(text: str, lang: str) -> float | None:
    """Share of the distinct letters of ``text`` that ``lang`` writes its words with (None when its
    alphabet is not known). Mojibake scores low: Turkish read as windows-1252 has "þ", "ý", "ð"."""
    alphabet = codes.ALPHABETS.get(lang)
    letters = {ch for ch in text.lower() if ch.isalpha()}
    if alphabet is None or not letters:
        return None
    return len(letters & alphabet) / len(letters)


def _second_opinion(first: dict[str, float], second: dict[str, float]) -> dict[str, float]:
    """Average in langdetect's view, but only over the share of languages langdetect knows: it
    cannot vote for Kurdish or Azerbaijani, so it must not take their share away either."""
    known = [lang for lang in first if lang in engines.LANGDETECT_LANGUAGES]
    mass = sum(first[lang] for lang in known)
    second_mass = sum(second.get(lang, 0.0) for lang in known)
    if mass <= 0 or second_mass <= 0:
        return first
    combined = dict(first)
    for lang in known:
        combined[lang] = mass * (first[lang] / mass + second.get(lang, 0.0) / second_mass) / 2
    return combined


def _weigh(
    candidates: engines.Candidates, weights: dict[str, float], known: frozenset[str] | None = None
) -> dict[str, float]:
    """Engine probabilities times each language's weight, normalised over the languages weighed.

    A language the engine does not know at all (langdetect has no Kurdish or Azerbaijani) starts from
    a share of the engine's best guess, so that when its alphabet fits and the guess's does not
    (Sorani letters in what langdetect calls Persian), it wins.
    """
    scores = dict.fromkeys(weights, FLOOR)
    for label, probability in candidates:
        lang = codes.FOLD.get(label, label)
        if lang in scores:
            scores[lang] += probability
    if known is not None and candidates:
        share = UNKNOWN_SHARE * candidates[0][1]
        for lang in (scores.keys() - known) & codes.ALPHABETS.keys():
            scores[lang] = max(scores[lang], share)
    weighted = {lang: p * weights[lang] for lang, p in scores.items()}
    total = sum(weighted.values())
    return {lang: p / total for lang, p in weighted.items()} if total > 0 else {}


def _weights(
    candidates: engines.Candidates,
    allowed: frozenset[str],
    known: frozenset[str] | None,
    evidence: _Evidence,
    sample: str,
    hint: str | None,
) -> dict[str, float]:
    """A weight for each language worth scoring: the engine's candidates written in the text's
    script, and (for an engine that lacks some) the script's languages it cannot name but whose
    alphabet is known."""
    langs = {codes.FOLD.get(label, label) for label, _ in candidates} & allowed
    if known is not None:
        langs |= (allowed - known) & codes.ALPHABETS.keys()
    if not langs:  # the engine named nothing written in this script: let prior and alphabet choose
        langs = set(allowed)
    weights: dict[str, float] = {}
    for lang in langs:
        weight = codes.prior(lang)
        if hint is not None and codes.FOLD.get(hint, hint) == lang:
            weight *= HINT_WEIGHT
        alphabet = codes.ALPHABETS.get(lang)
        if alphabet is not None and not evidence.letters <= alphabet:
            in_words, in_names = evidence.split()
            for letter in in_words - alphabet:
                weight *= FOREIGN_ASCII_LETTER if letter.isascii() else FOREIGN_LETTER
            weight *= FOREIGN_LETTER_IN_NAME ** len(in_names - alphabet)
        markers = REQUIRED_MARKERS.get(lang)
        if markers is not None and not any(m in sample for m in markers):
            weight *= 0.01
        weights[lang] = weight
    return weights


class _Evidence:
    """The letters of the text's own script, split (only when a language's alphabet lacks one of
    them) into those seen in lowercase words and those only seen in capitalised words: names and
    acronyms are weaker evidence ("Erdoğan" turns up in Kurdish news)."""

    def __init__(self, head: str, script: str) -> None:
        self._head = head
        self._own = scripts.letters_of(script)
        self.letters = set(head.lower()) & self._own
        self._split: tuple[set[str], set[str]] | None = None

    def split(self) -> tuple[set[str], set[str]]:
        if self._split is None:
            words = _WORD.findall(self._head)
            lower = set(" ".join(w for w in words if not w[0].isupper()).lower()) & self._own
            self._split = (lower, self.letters - lower)
        return self._split


def _case(sample: str) -> tuple[bool, bool]:
    """(mostly capitals, mostly capitalised words) over the first words of the text.

    "GOVERNMENT RAISES FUEL PRICES" is read in lowercase; so is "Government Raises Fuel Prices" by
    fastText, which takes capitalised words for names.
    """
    words = [w for w in sample[:SCRIPT_CHARS].split() if len(w) > 1 and w[0].isalpha()]
    if len(words) < 2:
        return False, False
    capitals = sum(1 for w in words if w.isupper())
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitals >= 0.8 * len(words), len(words) >= 3 and capitalised >= 0.6 * len(words)

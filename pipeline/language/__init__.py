"""Language identification per story (pure): text -> (BCP-47 code, confidence). Never raises."""

from __future__ import annotations

import re
import threading

from pipeline.language import quick
from pipeline.messages import UNDETERMINED

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
#: Fewer letters than this carry too little signal to name a language.
MIN_LETTERS = 3
_lock = threading.Lock()
_ready = False


def _langdetect_ready() -> None:
    global _ready
    if not _ready:
        with _lock:
            from langdetect import DetectorFactory

            DetectorFactory.seed = 0  # langdetect is random unless seeded
            _ready = True


def detect(text: str) -> tuple[str, float]:
    """The language of ``text`` and a confidence in [0, 1]; ``("und", 0.0)`` when it cannot tell."""
    if len(_LETTERS.findall(text[:2000])) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    _langdetect_ready()
    from langdetect import LangDetectException, detect_langs

    try:
        best = detect_langs(text[:10_000])[0]
    except LangDetectException:
        return UNDETERMINED, 0.0
    lang = str(best.lang).split("-")[0]  # zh-cn -> zh: primary subtags only
    if lang in ("fa", "ar", "ur"):  # langdetect has no Kurdish: Sorani comes back as Persian
        lang = quick.arabic_script_language(text[:2000]) or lang
    return lang, round(float(best.prob), 4)

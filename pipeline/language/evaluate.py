"""Score language detection on a labelled set (pure, apart from reading the files).

A set is a directory with one folder per language (named by its BCP-47 code) holding up to three
files, one text per line: ``headline.txt``, ``teaser.txt``, ``article.txt`` (an article is one line).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.language import Detection

LENGTHS = ("headline", "teaser", "article")
Detector = Callable[[str], Detection]


@dataclass(frozen=True)
class Sample:
    lang: str
    length: str
    text: str
    source: str  # file:line, for reports


@dataclass
class Score:
    """Accuracy per (language, length), and what the misses were."""

    total: Counter[tuple[str, str]] = field(default_factory=Counter)
    correct: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[Sample, Detection]] = field(default_factory=list)

    def add(self, sample: Sample, detection: Detection) -> None:
        key = (sample.lang, sample.length)
        self.total[key] += 1
        if detection.lang == sample.lang:
            self.correct[key] += 1
        else:
            self.misses.append((sample, detection))

    def accuracy(self, lang: str | None = None, length: str | None = None) -> float | None:
        keys = [
            k for k in self.total if (lang is None or k[0] == lang) and (length is None or k[1] == length)
        ]
        total = sum(self.total[k] for k in keys)
        return sum(self.correct[k] for k in keys) / total if total else None

    def count(self, lang: str | None = None, length: str | None = None) -> int:
        return sum(
            n
            for (la, le), n in self.total.items()
            if (lang is None or la == lang) and (length is None or le == length)
        )

    @property
    def languages(self) -> list[str]:
        return sorted({lang for lang, _ in self.total})


def load(directory: Path) -> list[Sample]:
    """Every labelled text under ``directory``; an empty or misnamed set is an error, not a 100%."""
    samples: list[Sample] = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        for length in LENGTHS:
            path = folder / f"{length}.txt"
            if path.exists():
                samples.extend(_read(path, folder.name, length))
    if not samples:
        raise ValueError(f"{directory}: no <lang>/{{{','.join(LENGTHS)}}}.txt files found")
    return samples


def _read(path: Path, lang: str, length: str) -> Iterator[Sample]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            yield Sample(lang, length, line.strip(), f"{path}:{number}")


def score(samples: list[Sample], detector: Detector) -> Score:
    result = Score()
    for sample in samples:
        result.add(sample, detector(sample.text))
    return result


def throughput(texts: list[str], detector: Detector, min_seconds: float = 1.0) -> float:
    """Texts per second on this core, running over ``texts`` until ``min_seconds`` have passed."""
    if not texts:
        return 0.0
    for text in texts[:20]:  # load models before timing
        detector(text)
    done = 0
    start = time.perf_counter()
    while True:
        for text in texts:
            detector(text)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


@dataclass
class Report:
    """Scores and speed of several engines over one set."""

    scores: dict[str, Score]
    speed: dict[str, dict[str, float]]  # engine -> length -> texts/s

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for engine, result in self.scores.items():
            out[engine] = {
                "overall": {
                    length: {"accuracy": result.accuracy(length=length), "texts": result.count(length=length)}
                    for length in LENGTHS
                },
                "languages": {
                    lang: {length: result.accuracy(lang, length) for length in LENGTHS}
                    for lang in result.languages
                },
                "texts_per_second": self.speed.get(engine, {}),
                "misses": [
                    {"source": s.source, "expected": s.lang, "got": d.lang, "confidence": d.confidence}
                    for s, d in result.misses
                ],
            }
        return out

    def render(self, misses: bool = False) -> str:
        """Accuracy per language (rows) and length x engine (columns), then totals and speed."""
        engines = list(self.scores)
        width = 8 * len(engines)
        lines = [
            f"{'':<6}" + "".join(f"{length:^{width}}" for length in LENGTHS),
            f"{'lang':<6}" + "".join(f"{_short(e):>8}" for _ in LENGTHS for e in engines),
        ]
        first = next(iter(self.scores.values()))
        for lang in first.languages:
            cells = [_percent(self.scores[e].accuracy(lang, length)) for length in LENGTHS for e in engines]
            lines.append(f"{lang:<6}" + "".join(f"{c:>8}" for c in cells))
        lines.append("")
        for engine in engines:
            result = self.scores[engine]
            parts = [
                f"{length} {_percent(result.accuracy(length=length))} of {result.count(length=length)}"
                for length in LENGTHS
            ]
            rates = ", ".join(f"{length} {rate:,.0f}" for length, rate in self.speed.get(engine, {}).items())
            lines.append(f"{engine:<20} {' | '.join(parts)}")
            lines.append(f"{'':<20} texts/s on one core: {rates}")
        if misses:
            for engine in engines:
                lines.append(f"\nmisses of {engine}:")
                for sample, detection in self.scores[engine].misses:
                    lines.append(
                        f"  {sample.source}: expected {sample.lang}, got {detection.lang} "
                        f"({detection.confidence:.2f}) {sample.text[:90]}"
                    )
        return "\n".join(lines)


def _short(engine: str) -> str:
    return (
        engine.replace("fasttext+langdetect", "ft+ld").replace("fasttext", "ft").replace("langdetect", "ld")
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _detector(engine: str) -> Detector:
    from pipeline.language import detect

    return lambda text: detect(text, engine)


def evaluate_engines(
    directory: Path,
    engines: tuple[str, ...] | None = None,
    progress: Callable[[str], None] | None = None,
    min_seconds: float = 1.0,
) -> Report:
    from pipeline.language import ENGINES

    samples = load(directory)
    scores: dict[str, Score] = {}
    speed: dict[str, dict[str, float]] = {}
    for engine in engines or ENGINES:
        if progress:
            progress(f"{engine}: scoring {len(samples)} texts")
        scores[engine] = score(samples, _detector(engine))
        speed[engine] = _speed(samples, engine, progress, min_seconds)
    return Report(scores, speed)


def engine_throughput(
    directory: Path, engines: tuple[str, ...] | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, dict[str, float]]:
    from pipeline.language import ENGINES

    samples = load(directory)
    return {engine: _speed(samples, engine, progress) for engine in engines or ENGINES}


def _speed(
    samples: list[Sample], engine: str, progress: Callable[[str], None] | None, min_seconds: float = 1.0
) -> dict[str, float]:
    rates = {}
    for length in LENGTHS:
        texts = [s.text for s in samples if s.length == length]
        if texts:
            if progress:
                progress(f"{engine}: timing {len(texts)} {length} texts")
            rates[length] = round(throughput(texts, _detector(engine), min_seconds), 1)
    return rates

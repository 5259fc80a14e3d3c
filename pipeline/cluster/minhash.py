"""MinHash signatures, by rensa (Rust): measured against datasketch and a numpy version of our own
on 20,000 texts of 150 words (README, "Story clusters"), it computed signatures 40-60 times faster
with the same accuracy, and its values are the same in every process (no hash seed)."""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from importlib.metadata import version

from rensa import RMinHash

NUM_PERM = 128
SEED = 20261206  # fixed: signatures stored by one worker are compared by every other

#: Stored with every signature: signatures of another library version, seed or size are never
#: compared with these (rensa's values changed between releases).
SCHEME = f"rensa-{version('rensa')}/{NUM_PERM}/{SEED}"


def signature(shingles: Iterable[str]) -> array[int]:
    """The MinHash signature of a set of shingles (an empty set: every value the largest)."""
    minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update(list(shingles))
    return array("I", minhash.digest())

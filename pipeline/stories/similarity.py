"""Which articles tell the same story: MinHash signatures of their text, LSH band keys, and the decision.

A wire story runs in many outlets with small edits (another headline, a line added or cut, the
outlet's boilerplate around it, an update with new paragraphs). Those copies share most of their
word 4-grams ("shingles"); two different stories on the same event share almost none. A MinHash
signature estimates the Jaccard similarity of two shingle sets from 60 numbers, and
its 20 bands of 3 numbers are the LSH keys that find candidates without comparing an article to
the whole dataset: two articles meet under some band with probability 1 - (1 - J^3)^20, which is
0.93 at J = 0.5, 0.99 at J = 0.6 and 0.002 at J = 0.05 (same-topic articles of different stories).

Why MinHash rather than SimHash (trafilatura has one): a SimHash is one 64-bit fingerprint whose
Hamming distance says "near" or "not", but finding every fingerprint within k bits of a new one
needs k + 1 tables of short keys, unselective at a million articles; and it gives no estimate of how
much of the shorter text the longer one holds. MinHash gives that estimate, and that is what an
update or a boilerplate-wrapped copy needs: the copy holds all of the shorter text (containment
near 1) while its Jaccard similarity drops with the added words.

The decision (:func:`same_story`) reads the estimated Jaccard similarity and the estimated share of
the shorter article's shingles that the longer one holds. Logic only: storage is in
``pipeline/sinks/stories.py``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

SHINGLE_WORDS = 4
NUM_PERM = 60
BANDS = 20
ROWS_PER_BAND = NUM_PERM // BANDS
SEED = 20261203  # fixed, like the hash family below: stored signatures must stay comparable with new ones
# Below this many shingles (about 30 words) an estimate is too coarse, and a short text (a caption,
# a one-line brief, a feed summary) is contained in too many others to say they are one story.
MIN_SHINGLES = 25
# Decision thresholds (tuned on the near-duplicate set built by pipeline/evaluation/stories.py):
# the shorter text is mostly inside the longer one, and they are not a short text inside a long one.
MIN_CONTAINMENT = 0.6
MIN_JACCARD = 0.25

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class StorySignature:
    """The MinHash of an article's word 4-grams, and how many distinct 4-grams it had."""

    minhash: tuple[int, ...]
    shingles: int

    def to_bytes(self) -> bytes:
        return np.asarray(self.minhash, dtype=np.uint32).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> "StorySignature":
        return cls(tuple(int(value) for value in np.frombuffer(data, dtype=np.uint32)), shingles)


def shingles(text: str) -> set[bytes]:
    """Word 4-grams of the folded text: case and punctuation do not make two copies different."""
    words = _WORD.findall(text.casefold())
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - SHINGLE_WORDS + 1)}


def story_signature(text: str) -> Optional[StorySignature]:
    """The signature of an article's text, or None when it is too short to tell its story apart."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    return StorySignature(tuple(int(value) for value in minhash(grams)), len(grams))


def minhash(grams: Iterable[bytes]) -> np.ndarray:
    """The 60 MinHash values (uint32) of a set of shingles.

    Each shingle is hashed once (the first 4 bytes of its SHA-1, read little-endian), mixed with the
    MurmurHash3 32-bit finaliser, then put through 60 affine maps h -> a*h + b mod 2^32 with odd a
    (each one a bijection, so no two shingles collide more than the hash made them), keeping each
    map's minimum. This is datasketch 2.0's "affine32" scheme with the same parameters drawn from
    the same seed, so signatures equal those of ``datasketch.MinHash(num_perm=60, seed=SEED,
    scheme="affine32")`` (a test checks it) and those stored by the releases that used datasketch.
    It is written here because datasketch's import loads scipy: 0.35-0.7 s and 56 MB in every worker
    that signs an article, for arithmetic numpy does in a few lines."""
    digests = b"".join(hashlib.sha1(gram).digest()[:4] for gram in grams)
    if not digests:  # the empty set: every value at its maximum, as datasketch starts
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    hashed = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    multipliers, offsets = _permutations()
    # uint32 arithmetic wraps around: that wrap is the "mod 2^32" of the maps
    return (hashed[:, np.newaxis] * multipliers + offsets).min(axis=0)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, element-wise: an avalanching bijection on [0, 2^32)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def band_keys(signature: StorySignature) -> list[int]:
    """The LSH keys of a signature: one signed 64-bit hash per band (its index and its values)."""
    values = np.asarray(signature.minhash, dtype=np.uint32)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "big") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def jaccard(a: StorySignature, b: StorySignature) -> float:
    """Estimated Jaccard similarity of the two shingle sets: the share of equal MinHash values."""
    equal = sum(1 for x, y in zip(a.minhash, b.minhash) if x == y)
    return equal / len(a.minhash)


def containment(a: StorySignature, b: StorySignature) -> float:
    """Estimated share of the smaller shingle set found in the larger: |A & B| = J (|A| + |B|) / (1 + J)."""
    similarity = jaccard(a, b)
    shared = similarity * (a.shingles + b.shingles) / (1 + similarity)
    return min(1.0, shared / min(a.shingles, b.shingles))


def resemblance(a: StorySignature, b: StorySignature) -> float:
    """How alike two articles are, for choosing the best of several matches (the containment)."""
    return containment(a, b)


def same_story(a: StorySignature, b: StorySignature) -> bool:
    return jaccard(a, b) >= MIN_JACCARD and containment(a, b) >= MIN_CONTAINMENT


@dataclass(frozen=True)
class StoryCandidate:
    """A stored or earlier article a new one may belong with."""

    article_id: str
    story_id: str
    signature: StorySignature


def match_story(
    article_id: str, signature: Optional[StorySignature], candidates: Iterable[StoryCandidate]
) -> tuple[str, list[StoryCandidate]]:
    """The story of a new article, and the candidates of that story it was found alike.

    The story is that of the most alike candidate (ties: the smaller story id, so the choice does not
    depend on the order candidates come in), else a new story named after the article itself."""
    alike = [candidate for candidate in candidates if signature is not None and same_story(signature, candidate.signature)]
    if not alike:
        return new_story_id(article_id), []
    best = min(alike, key=lambda candidate: (-resemblance(signature, candidate.signature), candidate.story_id))  # type: ignore[arg-type]
    return best.story_id, [candidate for candidate in alike if candidate.story_id == best.story_id]


def new_story_id(article_id: str) -> str:
    return hashlib.sha256(f"story\x00{article_id}".encode("utf-8")).hexdigest()[:32]


def decide_stories(
    items: Sequence[tuple[str, Optional[StorySignature]]],
    stored_candidates: Callable[[list[int]], list[StoryCandidate]] = lambda _keys: [],
) -> Iterator[tuple[str, str, list[StoryCandidate]]]:
    """Stories for articles in arrival order: each is matched against the stored articles that share
    a band key with it (``stored_candidates``) and the articles before it in ``items``. Yields each
    article's id, story and the candidates of that story it was found alike (whose quotations its
    quotes are compared with). The dataset's commit and the evaluation's clustering both run this."""
    earlier: dict[int, list[StoryCandidate]] = {}
    for article_id, signature in items:
        keys = band_keys(signature) if signature is not None else []
        candidates = {candidate.article_id: candidate for candidate in stored_candidates(keys)} if keys else {}
        for key in keys:
            for candidate in earlier.get(key, ()):
                if candidate.article_id != article_id:
                    candidates.setdefault(candidate.article_id, candidate)
        story, members = match_story(article_id, signature, candidates.values())
        yield article_id, story, members
        if signature is not None:
            mine = StoryCandidate(article_id, story, signature)
            for key in keys:
                earlier.setdefault(key, []).append(mine)


def cluster_stories(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """(article id, body) in arrival order -> story id per article; what a run into an empty dataset gives."""
    signatures = [(article_id, story_signature(text)) for article_id, text in items]
    return {article_id: story for article_id, story, _ in decide_stories(signatures)}


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The 60 (a, b) of the affine maps, drawn once per process from SEED in the order datasketch
    draws them: all a (odd, below 2^32), then all b."""
    generator = np.random.RandomState(SEED)
    multipliers = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    offsets = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return multipliers, offsets

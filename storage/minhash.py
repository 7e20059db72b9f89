"""MinHash signatures in numpy: datasketch 2's "affine32" scheme (see storage/neardup.py,
which holds its parameters and imports this module only when it first needs a signature)."""

import numpy as np

from storage.models import normalise_for_hash
from storage.neardup import MIN_CHARS, MINHASH_SEED, NUM_PERM, SHINGLE_CHARS

_SIGNATURE_DTYPE = np.dtype("<u4")
_POLY = np.uint64(0x100000001B3)  # an odd multiplier for the rolling shingle hash


def _affine_permutations(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutations h -> a*h + b (mod 2^32, `a` odd) of datasketch's affine32 scheme, drawn
    from the same generator in the same order, so the signatures are the same."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, count, dtype=np.uint32)
    return a, b


_PERMUTATIONS = _affine_permutations(MINHASH_SEED, NUM_PERM)


def shingle_hashes(text: str | None) -> np.ndarray:
    """Distinct 32-bit hashes of the reduced text's character shingles (empty when short)."""
    reduced = normalise_for_hash(text or "")
    if len(reduced) < MIN_CHARS:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer(reduced.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - SHINGLE_CHARS + 1
    # A polynomial rolling hash, computed for all windows at once; datasketch's affine32
    # scheme mixes each input with the MurmurHash3 finalizer, so a simple hash suffices.
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_CHARS):
        hashes = hashes * _POLY + codes[offset : offset + count]
    hashes ^= hashes >> np.uint64(31)
    return _distinct((hashes >> np.uint64(32)).astype(np.uint32))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: what np.unique gives, in a fifth of its time here
    (numpy 2's np.unique hashes; a sort of a few thousand integers is cheaper)."""
    ordered = np.sort(values)
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    distinct: np.ndarray = ordered[first]
    return distinct


def _premix(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (uint32 arithmetic wraps, as it should): the affine32
    scheme spreads every input with it once before the permutations."""
    hashes = hashes ^ (hashes >> np.uint32(16))
    hashes = hashes * np.uint32(0x85EBCA6B)
    hashes = hashes ^ (hashes >> np.uint32(13))
    hashes = hashes * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = hashes ^ (hashes >> np.uint32(16))
    return mixed


def signature(text: str | None) -> tuple[bytes, int] | None:
    """The text's signature (NUM_PERM little-endian uint32) and its shingle count, or None
    when it is too short to compare."""
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    a, b = _PERMUTATIONS
    # One row per permutation, so that each minimum runs along contiguous memory: 0.17 ms
    # for 7,000 shingles, against 0.74 with one column per permutation.
    permuted = np.multiply.outer(a, _premix(hashes))
    permuted += b.reshape(-1, 1)
    return permuted.min(axis=1).astype(_SIGNATURE_DTYPE).tobytes(), len(hashes)

"""RFC 6962 / RFC 9162 Merkle hashing and proof verification (SHA-256).

A port of ``packages/core/src/merkle.ts``. Everything handed to a verifier is treated as hostile:
sizes are checked before any hashing, every hash must be exactly 32 bytes, and a proof must have
exactly the length its index and sizes imply. The semantics follow transparency-dev/merkle, whose
published vectors (``testdata/rfc6962``) the tests run.

Example:
    >>> leaf = leaf_hash(b'x')
    >>> verify_inclusion(0, 1, leaf, [], leaf)  # no exception: the proof holds
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

__all__ = [
    'HASH_SIZE',
    'MemoryMerkleTree',
    'MerkleError',
    'MerkleFrontier',
    'empty_root',
    'leaf_hash',
    'node_hash',
    'root_from_inclusion_proof',
    'root_from_leaf_hashes',
    'verify_consistency',
    'verify_inclusion',
]

HASH_SIZE = 32


class MerkleError(ValueError):
    """A proof, hash or size that does not verify."""


def empty_root() -> bytes:
    return hashlib.sha256(b'').digest()


def leaf_hash(entry: bytes | str) -> bytes:
    """SHA-256(0x00 ‖ entry); a str is hashed as its UTF-8 bytes."""
    data = entry.encode('utf-8') if isinstance(entry, str) else entry
    return hashlib.sha256(b'\x00' + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b'\x01' + left + right).digest()


def _split_point(n: int) -> int:
    """Largest power of two strictly below n (n ≥ 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """Root of a list of leaf hashes, by the RFC's definition."""
    if not leaves:
        return empty_root()
    level = list(leaves)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2 == 1:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _is_size(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**63


def _check_index(m: int, n: int) -> None:
    if not _is_size(m) or not _is_size(n) or m >= n:
        raise MerkleError(f'leaf index {m} is outside a tree of size {n}')


def _require_hash(h: bytes, what: str) -> None:
    if len(h) != HASH_SIZE:
        raise MerkleError(f'{what} is {len(h)} bytes, want {HASH_SIZE}')


def _decomp_incl_proof(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count('1')
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    h = seed
    for i, p in enumerate(proof):
        h = node_hash(h, p) if (index >> i) & 1 == 0 else node_hash(p, h)
    return h


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    h = seed
    for i, p in enumerate(proof):
        if (index >> i) & 1 == 1:
            h = node_hash(p, h)
    return h


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    h = seed
    for p in proof:
        h = node_hash(p, h)
    return h


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """Root implied by an inclusion proof; raises MerkleError on a malformed proof."""
    _check_index(index, size)
    _require_hash(leaf, 'leaf hash')
    for i, p in enumerate(proof):
        _require_hash(p, f'proof[{i}]')
    inner, border = _decomp_incl_proof(index, size)
    if len(proof) != inner + border:
        raise MerkleError(f'inclusion proof has {len(proof)} hashes, want {inner + border}')
    h = _chain_inner(leaf, proof[:inner], index)
    return _chain_border_right(h, proof[inner:])


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Checks that ``leaf`` is at ``index`` in the tree of ``size`` leaves whose root is ``root``."""
    _require_hash(root, 'root')
    got = root_from_inclusion_proof(index, size, leaf, proof)
    if not hmac.compare_digest(got, root):
        raise MerkleError('inclusion proof does not lead to the root')


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Checks that the tree of ``size2`` leaves with ``root2`` extends the tree of ``size1`` with ``root1``."""
    if not _is_size(size1) or not _is_size(size2):
        raise MerkleError('tree sizes must be non-negative integers')
    if size2 < size1:
        raise MerkleError(f'size2 ({size2}) < size1 ({size1})')
    # An empty tree is consistent with everything, so a proof from it proves nothing: refuse it.
    if size1 == 0:
        raise MerkleError('a consistency proof from an empty tree is meaningless')
    if size1 == size2:
        if proof:
            raise MerkleError('equal sizes need an empty proof')
        if not hmac.compare_digest(root1, root2):
            raise MerkleError('equal sizes but the roots differ')
        return
    _require_hash(root1, 'root1')
    _require_hash(root2, 'root2')
    for i, p in enumerate(proof):
        _require_hash(p, f'proof[{i}]')
    if not proof:
        raise MerkleError('empty consistency proof')

    inner0, border = _decomp_incl_proof(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner = inner0 - shift
    # The proof starts with the root of the 2^shift subtree, unless size1 is that subtree itself.
    seed, start = proof[0], 1
    if size1 == 1 << shift:
        seed, start = root1, 0
    if len(proof) != start + inner + border:
        raise MerkleError(f'consistency proof has {len(proof)} hashes, want {start + inner + border}')
    rest = proof[start:]
    mask = (size1 - 1) >> shift
    h1 = _chain_border_right(_chain_inner_right(seed, rest[:inner], mask), rest[inner:])
    if not hmac.compare_digest(h1, root1):
        raise MerkleError('consistency proof does not lead to root1')
    h2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask), rest[inner:])
    if not hmac.compare_digest(h2, root2):
        raise MerkleError('consistency proof does not lead to root2')


class MerkleFrontier:
    """The right edge of a growing tree: O(log n) memory, so a verifier can stream a log of any length."""

    def __init__(self) -> None:
        self._stack: list[tuple[bytes, int]] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        h, size = leaf, 1
        while self._stack and self._stack[-1][1] == size:
            top, _ = self._stack.pop()
            h = node_hash(top, h)
            size *= 2
        self._stack.append((h, size))
        self.size += 1

    def root(self) -> bytes:
        """Root of the tree of the leaves appended so far."""
        if not self._stack:
            return empty_root()
        r = self._stack[-1][0]
        for h, _ in reversed(self._stack[:-1]):
            r = node_hash(h, r)
        return r


def _inclusion_ranges(m: int, n: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []

    def path(m: int, start: int, end: int) -> None:
        size = end - start
        if size <= 1:
            return
        k = _split_point(size)
        if m < k:
            path(m, start, start + k)
            out.append((start + k, end))
        else:
            path(m - k, start + k, end)
            out.append((start, start + k))

    path(m, 0, n)
    return out


def _consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    if m <= 0 or m > n:
        raise MerkleError(f'no consistency proof from size {m} to {n}')
    out: list[tuple[int, int]] = []

    def sub(m: int, start: int, end: int, complete: bool) -> None:
        size = end - start
        if m == size:
            if not complete:
                out.append((start, end))
            return
        k = _split_point(size)
        if m <= k:
            sub(m, start, start + k, complete)
            out.append((start + k, end))
        else:
            sub(m - k, start + k, end, False)
            out.append((start, start + k))

    sub(m, 0, n, True)
    return out


class MemoryMerkleTree:
    """An in-memory tree over leaf hashes: roots and proofs for tests and for exports that hold every leaf."""

    def __init__(self, leaves: Sequence[bytes] = ()) -> None:
        self._leaves: list[bytes] = list(leaves)

    @property
    def size(self) -> int:
        return len(self._leaves)

    def append(self, leaf: bytes) -> None:
        self._leaves.append(leaf)

    def _range_hash(self, start: int, end: int) -> bytes:
        return root_from_leaf_hashes(self._leaves[start:end])

    def root(self, size: int | None = None) -> bytes:
        n = self.size if size is None else size
        if n > self.size:
            raise MerkleError(f'tree has {self.size} leaves, not {n}')
        return self._range_hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        n = self.size if size is None else size
        _check_index(index, n)
        return [self._range_hash(a, b) for a, b in _inclusion_ranges(index, n)]

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        n = self.size if size2 is None else size2
        return [self._range_hash(a, b) for a, b in _consistency_ranges(size1, n)]

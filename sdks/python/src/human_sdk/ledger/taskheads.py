"""The task-heads map every checkpoint signs (a port of ``packages/core/src/taskheads.ts``).

Per task, a running hash over its entries in log order (``acc_0`` = 32 zero bytes,
``acc_i = SHA-256(acc_{i-1} || leaf_hash(entry_i))``) and their count; the task's leaf is
``leaf_hash(canonical_json({acc: hex, count, taskId}))`` at the position where its id first appears in
the log, and the tree over those leaves is RFC 6962's. A checkpoint signs its root as the extension
line ``humanos-task-heads <T> <base64 root>``, so an entry hidden from its task by an edited index
column makes the recomputed root differ.

Example:
    >>> heads = TaskHeads()
    >>> heads.add('task_a', leaf_hash(b'entry'))
    >>> heads.root()[0]
    1
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence

from ..canonical import canonical_json
from .merkle import empty_root, leaf_hash, node_hash

__all__ = ['TASK_HEADS_EXTENSION', 'TaskHeads', 'task_head_leaf', 'task_heads_from_extensions']

TASK_HEADS_EXTENSION = 'humanos-task-heads'
_LINE = re.compile(r'^humanos-task-heads (0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=)$')


def task_head_leaf(task_id: str, count: int, acc: bytes) -> bytes:
    """The heads tree's leaf for a task with ``count`` entries and running hash ``acc``."""
    return leaf_hash(canonical_json({'acc': acc.hex(), 'count': count, 'taskId': task_id}))


def task_heads_from_extensions(extensions: Sequence[str]) -> tuple[int, bytes] | None:
    """The ``(size, root)`` a checkpoint's extension lines sign, or None (a checkpoint from before them)."""
    found: tuple[int, bytes] | None = None
    for line in extensions:
        if not line.startswith(TASK_HEADS_EXTENSION + ' '):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError('bad task-heads line')
        try:
            root = base64.b64decode(m.group(2), validate=True)
        except binascii.Error as e:
            raise ValueError('bad task-heads line') from e
        if found is not None:
            raise ValueError('two task-heads lines')
        found = (int(m.group(1)), root)
    return found


class _Head:
    __slots__ = ('acc', 'count', 'pos')

    def __init__(self, pos: int) -> None:
        self.pos = pos
        self.count = 0
        self.acc = bytes(32)


class TaskHeads:
    """The map recomputed from a log's entries: positions by first appearance, leaves set lazily."""

    def __init__(self) -> None:
        self._heads: dict[str, _Head] = {}
        self._levels: list[list[bytes]] = [[]]
        self._dirty: dict[int, str] = {}

    def add(self, task_id: str, leaf: bytes) -> None:
        """One more entry of ``task_id`` (its log leaf hash)."""
        h = self._heads.get(task_id)
        if h is None:
            h = _Head(len(self._heads))
            self._heads[task_id] = h
        h.count += 1
        h.acc = hashlib.sha256(h.acc + leaf).digest()
        self._dirty[h.pos] = task_id

    def _set(self, pos: int, leaf: bytes) -> None:
        leaves = self._levels[0]
        if pos == len(leaves):
            leaves.append(leaf)
        else:
            leaves[pos] = leaf
        size, level, idx = len(leaves), 1, pos // 2
        # Every complete subtree above the leaf is recomputed from its two children.
        while (idx + 1) * 2**level <= size:
            if len(self._levels) <= level:
                self._levels.append([])
            row, below = self._levels[level], self._levels[level - 1]
            h = node_hash(below[2 * idx], below[2 * idx + 1])
            if idx == len(row):
                row.append(h)
            else:
                row[idx] = h
            level, idx = level + 1, idx // 2

    def _range(self, start: int, end: int) -> bytes:
        n = end - start
        if n & (n - 1) == 0 and start % n == 0:
            return self._levels[n.bit_length() - 1][start // n]
        k = 1
        while k * 2 < n:
            k *= 2
        return node_hash(self._range(start, start + k), self._range(start + k, end))

    def root(self) -> tuple[int, bytes]:
        """``(number of tasks, root)`` of the map as fed so far."""
        for pos in sorted(self._dirty):
            task_id = self._dirty[pos]
            h = self._heads[task_id]
            self._set(pos, task_head_leaf(task_id, h.count, h.acc))
        self._dirty.clear()
        size = len(self._levels[0])
        return size, (self._range(0, size) if size else empty_root())

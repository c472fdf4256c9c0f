"""The log's signing-key history: its first key and the ``ledger.key_rotated`` entries after it.

A rotation at ledger index ``r`` carries ``data: {previous, next, signature}``, the signature by the key
in force (``previous``) over the canonical JSON of
``{type: "humanos.key_rotation/v1", origin, previous, next}``. The previous key signs the checkpoints of
sizes up to ``r + 1`` (the one sealing the rotation included) and the decisions before ``r``; the next
key signs every larger checkpoint and every later decision. ``from_size`` of a key is the size of the log
when it took over (``r + 1``; 0 for the first key).

Example:
    >>> chain = KeyChain(public_key_from_did_key(first))  # doctest: +SKIP
    >>> chain.fold(r, entry_data, origin)  # None, or why the rotation is refused  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..canonical import canonical_json
from .signing import SignatureError, did_key_from_public_key, hex_to_bytes, public_key_from_did_key, verify_bytes

__all__ = ['KEY_ROTATED', 'KEY_ROTATION_V1', 'KeyChain', 'KeyInForce', 'rotation_statement']

#: The ledger entry type of a signing-key rotation.
KEY_ROTATED = 'ledger.key_rotated'
#: The ``type`` member of the statement a rotation's signature covers.
KEY_ROTATION_V1 = 'humanos.key_rotation/v1'


def rotation_statement(origin: str, previous: str, next_key: str) -> str:
    """The canonical JSON the previous key signs to hand the log over to ``next_key`` (both did:keys)."""
    return canonical_json({'type': KEY_ROTATION_V1, 'origin': origin, 'previous': previous, 'next': next_key})


@dataclass(frozen=True)
class KeyInForce:
    """One key of the history: its did:key and the log size from which it signs (see the module doc)."""

    public_key: str
    from_size: int


class KeyChain:
    """The keys in force, in log order, starting from the first key; extended by :meth:`fold`."""

    def __init__(self, first: bytes) -> None:
        self._keys: list[tuple[bytes, int]] = [(first, 0)]

    @property
    def history(self) -> list[KeyInForce]:
        return [KeyInForce(did_key_from_public_key(k), s) for k, s in self._keys]

    def position(self, public_key: bytes) -> int | None:
        """Where ``public_key`` is in the chain (0: the first key), or None."""
        return next((i for i, (k, _) in enumerate(self._keys) if k == public_key), None)

    def index_for_size(self, size: int) -> int:
        """The position of the key that signs checkpoints of ``size`` (a rotation's own seal included)."""
        return max(i for i, (_, s) in enumerate(self._keys) if s < size or i == 0)

    def keys_from(self, position: int) -> list[tuple[bytes, int]]:
        """The keys (and the sizes they are in force from) at ``position`` and after."""
        return self._keys[position:]

    def for_size(self, size: int) -> bytes:
        return self._keys[self.index_for_size(size)][0]

    def for_entry(self, index: int) -> bytes:
        """The key that signs a decision logged at ``index``."""
        return max((s, k) for k, s in self._keys if s <= index)[1]

    def fold(self, index: int, data: dict[str, Any], origin: str) -> str | None:
        """Takes the rotation logged at ``index``; returns why it is refused, or None."""
        previous, next_did, signature = data.get('previous'), data.get('next'), data.get('signature')
        if not isinstance(previous, str) or not isinstance(next_did, str) or not isinstance(signature, str):
            return 'a key rotation names no previous key, next key or signature'
        in_force = self.for_entry(index)
        in_force_did = did_key_from_public_key(in_force)
        if previous != in_force_did:
            return f'the key rotation names {previous} as previous key, but {in_force_did} is in force'
        try:
            next_key = public_key_from_did_key(next_did)
            sig = hex_to_bytes(signature)
        except SignatureError as e:
            return f'the key rotation is unreadable: {e}'
        if next_key == in_force:
            return 'the key rotation hands the log to the key already in force'
        if not verify_bytes(in_force, rotation_statement(origin, previous, next_did), sig):
            return 'the key rotation is not signed by the key in force'
        self._keys.append((next_key, index + 1))
        return None

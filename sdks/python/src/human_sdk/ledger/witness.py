"""Witness cosignatures on checkpoints (C2SP tlog-cosignature ``cosignature/v1``) and the k-of-n witness
policy of the offline verifier.

A witness that saw the log grow append-only up to a checkpoint adds one more signature line to the
checkpoint note::

    — witness.example/w1 base64(key id(4) ‖ timestamp(8, big-endian) ‖ Ed25519 signature(64))

signed over ``cosignature/v1\\ntime <timestamp>\\n`` followed by the whole checkpoint text (HumanOS's
``humanos-task-heads`` extension line included, though the witness vouches only for the first three
lines). Witnesses are named by signed-note verifier keys of type 0x04:
``<name>+<hex key id>+<base64(0x04 ‖ 32-byte Ed25519 key)>``.

Example:
    >>> policy = WitnessPolicy.from_vkeys(['w1.example+1a2b3c4d+BE…', 'w2.example+…'], quorum=2)  # doctest: +SKIP
    >>> [w.name for w in policy.cosigners(note)]  # doctest: +SKIP
    ['w1.example', 'w2.example']
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .signing import SignatureError, note_key_id, note_signatures, verify_bytes

__all__ = [
    'COSIGNATURE_V1',
    'WitnessKey',
    'WitnessPolicy',
    'cosignature_key_id',
    'cosigned_message',
    'parse_witness_vkey',
    'witness_vkey',
]

#: The signed-note signature type of Ed25519 checkpoint cosignatures (C2SP signed-note, tlog-cosignature).
COSIGNATURE_V1 = 0x04
_MAX_TIMESTAMP = 2**63 - 1
# Key names are non-empty and hold no Unicode space and no plus (C2SP signed-note).
_NAME = re.compile(r'^[^\s+]+$')
_KEY_ID = re.compile(r'^[0-9a-f]{8}$')


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    """``SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]``: the key id of a ``cosignature/v1`` key."""
    return note_key_id(name, COSIGNATURE_V1, public_key)


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a ``cosignature/v1`` signs: the header and timestamp lines, then the whole checkpoint text."""
    return f'cosignature/v1\ntime {timestamp}\n{text}'.encode()


def witness_vkey(name: str, public_key: bytes) -> str:
    """The verifier key naming a witness: ``<name>+<hex key id>+<base64(0x04 ‖ key)>``."""
    if len(public_key) != 32:
        raise SignatureError('Ed25519 public key must be 32 bytes')
    material = base64.b64encode(bytes([COSIGNATURE_V1]) + public_key).decode()
    return f'{name}+{cosignature_key_id(name, public_key).hex()}+{material}'


@dataclass(frozen=True)
class WitnessKey:
    """A witness of the policy: its name, key id and 32-byte Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: bytes

    @property
    def vkey(self) -> str:
        return witness_vkey(self.name, self.public_key)

    def signed(self, name: str, blob: bytes) -> bool:
        """Whether a signature line (its key name and decoded bytes) claims to be this witness's: its
        name and key id. Only such a line must verify; any other is another key's (C2SP signed-note)."""
        return name == self.name and len(blob) >= 4 and hmac.compare_digest(blob[:4], self.key_id)

    def verifies(self, text: str, blob: bytes) -> bool:
        """Whether ``blob`` (a line :meth:`signed` claims as this witness's) is its valid cosignature of
        the checkpoint ``text``."""
        if len(blob) != 4 + 8 + 64:
            return False
        timestamp = int.from_bytes(blob[4:12], 'big')
        return timestamp <= _MAX_TIMESTAMP and verify_bytes(
            self.public_key, cosigned_message(text, timestamp), blob[12:]
        )


def parse_witness_vkey(vkey: str) -> WitnessKey:
    """Reads a witness's verifier key; refuses other signature types and a key id that does not match."""
    parts = vkey.split('+', 2)  # the base64 key may hold '+' too
    if len(parts) != 3 or not _NAME.match(parts[0]) or not _KEY_ID.match(parts[1]):
        raise SignatureError(f'{vkey!r} is not a verifier key <name>+<hex key id>+<base64 key>')
    name, key_id = parts[0], bytes.fromhex(parts[1])
    try:
        material = base64.b64decode(parts[2], validate=True)
    except binascii.Error as e:
        raise SignatureError(f'the key of {name} is not base64') from e
    if len(material) != 33 or material[0] != COSIGNATURE_V1:
        raise SignatureError(f'the key of {name} is not a cosignature/v1 (type 0x04) Ed25519 key')
    if cosignature_key_id(name, material[1:]) != key_id:
        raise SignatureError(f'the key id of {name} does not match its key')
    return WitnessKey(name=name, key_id=key_id, public_key=material[1:])


@dataclass(frozen=True)
class WitnessPolicy:
    """``quorum`` of the ``witnesses`` must have cosigned a checkpoint of the log."""

    witnesses: tuple[WitnessKey, ...]
    quorum: int

    @classmethod
    def from_vkeys(cls, vkeys: Sequence[str], quorum: int | None = None) -> WitnessPolicy:
        """The policy of these verifier keys; ``quorum`` defaults to all of them."""
        witnesses = tuple(parse_witness_vkey(v) for v in vkeys)
        if not witnesses:
            raise SignatureError('a witness policy needs at least one witness key')
        if len({(w.name, w.key_id) for w in witnesses}) != len(witnesses):
            raise SignatureError('the witness policy names a witness twice')
        k = len(witnesses) if quorum is None else quorum
        if isinstance(k, bool) or not 1 <= k <= len(witnesses):
            raise SignatureError(f'the witness quorum must be between 1 and {len(witnesses)}, not {quorum}')
        return cls(witnesses=witnesses, quorum=k)

    def cosigners(self, note: str) -> list[WitnessKey]:
        """The policy witnesses with a valid cosignature on ``note``, each once. Lines of keys outside the
        policy are ignored. A line with a policy witness's name and key id that does not verify makes the
        note malformed (C2SP signed-note: the client SHOULD reject it): raises :class:`SignatureError`."""
        text, sigs = note_signatures(note)
        out: list[WitnessKey] = []
        for w in self.witnesses:
            lines = [blob for n, blob in sigs if w.signed(n, blob)]
            if not all(w.verifies(text, blob) for blob in lines):
                raise SignatureError(f'a cosignature by {w.name} does not verify')
            if lines:
                out.append(w)
        return out

"""Ed25519 signatures, ``did:key`` names and signed-note checkpoints.

A port of ``packages/core/src/signing.ts`` on the ``cryptography`` package. A checkpoint is a signed
note (golang.org/x/mod/sumdb/note, C2SP tlog-checkpoint)::

    humanos.ledger/1a2b3c4d
    42
    <base64 root hash>

    — humanos.ledger/1a2b3c4d <base64(4-byte key hash ‖ Ed25519 signature)>

Example:
    >>> key = public_key_from_did_key('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp')
    >>> len(key)
    32
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..canonical import canonical_json

__all__ = [
    'Checkpoint',
    'SignatureError',
    'did_key_from_public_key',
    'hex_to_bytes',
    'note_key_hash',
    'note_key_id',
    'note_signatures',
    'open_checkpoint',
    'open_note',
    'public_key_bytes',
    'public_key_from_did_key',
    'verify_bytes',
    'verify_decision_signature',
]

_B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
_ALG_ED25519 = 0x01
_SIG_LINE = re.compile(r'^\u2014 (\S+) ([A-Za-z0-9+/=]+)$')
_SIZE = re.compile(r'^(0|[1-9][0-9]*)$')


class SignatureError(ValueError):
    """A signature, key or signed note that does not verify or cannot be read."""


def _b58encode(data: bytes) -> str:
    n = int.from_bytes(data, 'big')
    out = ''
    while n > 0:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    zeros = len(data) - len(data.lstrip(b'\x00'))
    return '1' * zeros + out


def _b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        v = _B58.find(c)
        if v < 0:
            raise SignatureError('not base58btc')
        n = n * 58 + v
    body = n.to_bytes((n.bit_length() + 7) // 8, 'big') if n else b''
    zeros = len(text) - len(text.lstrip('1'))
    return b'\x00' * zeros + body


def did_key_from_public_key(raw: bytes) -> str:
    """``did:key:z6Mk…`` for a raw Ed25519 public key (multicodec 0xed01, base58btc)."""
    if len(raw) != 32:
        raise SignatureError('Ed25519 public key must be 32 bytes')
    return 'did:key:z' + _b58encode(b'\xed\x01' + raw)


def public_key_from_did_key(did: str) -> bytes:
    """The raw 32-byte Ed25519 key named by a ``did:key``."""
    if not did.startswith('did:key:z'):
        raise SignatureError('not a did:key')
    data = _b58decode(did[len('did:key:z') :])
    if len(data) != 34 or data[0] != 0xED or data[1] != 0x01:
        raise SignatureError('not an Ed25519 did:key')
    return data[2:]


def hex_to_bytes(text: str) -> bytes:
    h = text[2:] if text.startswith('0x') else text
    if len(h) % 2 or not re.fullmatch(r'[0-9a-fA-F]*', h):
        raise SignatureError('not hex')
    return bytes.fromhex(h)


def public_key_bytes(key: str | bytes) -> bytes:
    """A public key given as raw bytes, a ``did:key`` or hex."""
    if isinstance(key, bytes):
        if len(key) != 32:
            raise SignatureError('Ed25519 public key must be 32 bytes')
        return key
    raw = public_key_from_did_key(key) if key.startswith('did:key:') else hex_to_bytes(key)
    if len(raw) != 32:
        raise SignatureError('Ed25519 public key must be 32 bytes')
    return raw


def verify_bytes(public_key: bytes, data: bytes | str, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``data`` (a str is UTF-8)."""
    if len(signature) != 64 or len(public_key) != 32:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, data.encode('utf-8') if isinstance(data, str) else data
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_decision_signature(record: object, signature: str, public_key: bytes) -> bool:
    """Checks a decision's ``approvalSignature`` (0x-hex Ed25519 over the record's canonical JSON)."""
    try:
        return verify_bytes(public_key, canonical_json(record), hex_to_bytes(signature))
    except (SignatureError, TypeError, ValueError):
        return False


def note_key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """A signed-note key id: ``SHA-256(name ‖ 0x0A ‖ signature type ‖ public key)[:4]``."""
    return hashlib.sha256(name.encode('utf-8') + b'\n' + bytes([signature_type]) + public_key).digest()[:4]


def note_key_hash(name: str, public_key: bytes) -> bytes:
    return note_key_id(name, _ALG_ED25519, public_key)


def note_signatures(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Splits a signed note into its text (with the final newline) and its signature lines as
    ``(key name, decoded signature blob)``; lines that are no signature line are skipped (a verifier
    ignores what it cannot read, C2SP signed-note)."""
    split = note.rfind('\n\n')
    if split < 0:
        raise SignatureError('note has no signature block')
    sigs: list[tuple[str, bytes]] = []
    for line in (x for x in note[split + 2 :].split('\n') if x):
        m = _SIG_LINE.match(line)
        if not m:
            continue
        try:
            sigs.append((m.group(1), base64.b64decode(m.group(2), validate=True)))
        except binascii.Error:
            continue
    return note[: split + 1], sigs


def open_note(note: str, name: str, public_key: bytes) -> str:
    """Returns the note text when one of its signatures is ``name``'s valid signature; otherwise raises."""
    text, sigs = note_signatures(note)
    want = note_key_hash(name, public_key)
    for signer, blob in sigs:
        if signer != name or len(blob) != 68 or not hmac.compare_digest(blob[:4], want):
            continue
        if verify_bytes(public_key, text, blob[4:]):
            return text
    raise SignatureError(f'note carries no valid signature by {name}')


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint body: the log ``origin``, its ``size`` and ``root_hash`` (base64)."""

    origin: str
    size: int
    root_hash: str
    #: Extension lines after the root (C2SP tlog-checkpoint), e.g. ``humanos-task-heads <T> <root>``.
    extensions: tuple[str, ...] = ()

    @property
    def root(self) -> bytes:
        return base64.b64decode(self.root_hash)


def open_checkpoint(note: str, origin: str, public_key: bytes) -> Checkpoint:
    """Verifies a signed checkpoint and returns its body; raises when the signature or format is wrong."""
    text = open_note(note, origin, public_key)
    lines = text.split('\n')
    if lines[0] != origin:
        raise SignatureError(f'checkpoint origin is {lines[0]}, want {origin}')
    size_text = lines[1] if len(lines) > 1 else ''
    if not _SIZE.match(size_text) or int(size_text) > 2**53 - 1:
        raise SignatureError('bad checkpoint size')
    root = lines[2] if len(lines) > 2 else ''
    try:
        root_bytes = base64.b64decode(root, validate=True)
    except binascii.Error as e:
        raise SignatureError('bad checkpoint root') from e
    if len(root_bytes) != 32:
        raise SignatureError('bad checkpoint root')
    # The text ends with a newline, so the last element is empty; everything between is extensions.
    return Checkpoint(origin=origin, size=int(size_text), root_hash=root, extensions=tuple(lines[3:-1]))

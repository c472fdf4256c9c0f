"""Offline checks of passkey-signed decisions: the approver key registry folded from the log, and the
five checks every ``approval.decided`` entry carrying ``data.passkey`` must pass (``docs/ledger.md``).

The registry lives in the log: ``passkey.enrolled`` entries add a key (its SubjectPublicKeyInfo DER,
ES256 or EdDSA, with the relying party id and origins it was enrolled for), ``passkey.revoked`` entries
end it. A key is valid for the decision at index ``i`` when it was enrolled before ``i`` for the
decision's approver and not revoked before ``i``. Each failure is named by a stable check name, so an
auditor learns *which* decision failed and *why* without reading code.

Example:
    >>> reg = KeyRegistry()
    >>> reg.fold(0, 'passkey.enrolled', {'principal': 'did:web:a'}) is not None  # malformed enrolment
    True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

from ..canonical import canonical_json, payload_digest

__all__ = [
    'ALG_EDDSA',
    'ALG_ES256',
    'CHECK_CLIENT_DATA',
    'CHECK_ENROLMENT',
    'CHECK_FLAGS',
    'CHECK_KEY_REVOKED',
    'CHECK_KEY_UNKNOWN',
    'CHECK_MISSING',
    'CHECK_RP_ID',
    'CHECK_SIGNATURE',
    'EnrolledKey',
    'KeyRegistry',
    'PasskeyFailure',
    'b64url_decode',
    'b64url_encode',
    'check_passkey_decision',
    'decision_challenge',
]

#: COSE algorithm identifiers the enrolment accepts: ES256 (ECDSA P-256, SHA-256) and EdDSA (Ed25519).
ALG_ES256 = -7
ALG_EDDSA = -8

CHECK_KEY_UNKNOWN = 'passkey_key_unknown'
CHECK_KEY_REVOKED = 'passkey_key_revoked'
CHECK_CLIENT_DATA = 'passkey_client_data'
CHECK_RP_ID = 'passkey_rp_id'
CHECK_FLAGS = 'passkey_flags'
CHECK_SIGNATURE = 'passkey_signature'
CHECK_MISSING = 'passkey_missing'
#: A ``passkey.enrolled`` entry that cannot be a key of the registry (malformed, or a credential
#: enrolled a second time): the server refuses both, so one in the log is a forged or broken registry.
CHECK_ENROLMENT = 'passkey_enrolment'

_FLAG_UP = 0x01
_FLAG_UV = 0x04
_B64URL = re.compile(r'[A-Za-z0-9_-]*')


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 4648 §5), as WebAuthn encodes binary members."""
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def b64url_decode(text: object) -> bytes | None:
    """Strict base64url without padding, or None: only the alphabet, and only the one canonical spelling.

    Python's decoder skips characters outside the alphabet and ignores non-zero trailing bits, so one
    byte string would have many spellings; re-encoding and comparing rejects all but the canonical one.
    """
    if not isinstance(text, str) or len(text) % 4 == 1 or not _B64URL.fullmatch(text):
        return None
    raw = base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))
    return raw if b64url_encode(raw) == text else None


@dataclass(frozen=True)
class CheckFailure:
    """A failed check: its stable name (``passkey_signature``, ``delegation_window`` …) and a sentence
    for humans; the passkey and delegation checks (``delegation.py``) both report one."""

    check: str
    detail: str

    @property
    def reason(self) -> str:
        return f'{self.check}: {self.detail}'


#: The passkey checks' name for it.
PasskeyFailure = CheckFailure


@dataclass
class EnrolledKey:
    """A key of the registry: who it belongs to, its public key, where it may be used, its lifetime."""

    index: int
    principal: str
    credential_id: str
    algorithm: int
    public_key: ec.EllipticCurvePublicKey | Ed25519PublicKey
    rp_id: str
    origins: tuple[str, ...]


def _load_key(algorithm: object, spki: bytes) -> ec.EllipticCurvePublicKey | Ed25519PublicKey | None:
    """The SPKI DER key when it is of the enrolment's algorithm (P-256 for ES256, Ed25519 for EdDSA)."""
    try:
        key = load_der_public_key(spki)
    except (ValueError, UnsupportedAlgorithm):
        return None
    # One spelling per key, as the server writes it (P-256 as an uncompressed point): a compressed or
    # otherwise re-encoded SPKI is refused here as by every other verifier.
    if key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) != spki:
        return None
    if algorithm == ALG_ES256 and isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == 'secp256r1':
        return key
    if algorithm == ALG_EDDSA and isinstance(key, Ed25519PublicKey):
        return key
    return None


class KeyRegistry:
    """The approver key registry, folded entry by entry in log order (``fold`` every entry).

    Memory is one record per enrolled credential, never the entries themselves.
    """

    def __init__(self) -> None:
        self._keys: dict[str, EnrolledKey] = {}
        #: The first revocation of each ``(principal, credentialId)``: the rule names the pair, whether
        #: or not (yet) enrolled, so a revocation logged before an enrolment still ends that key.
        self._revoked: dict[tuple[str, str], int] = {}

    def fold(self, index: int, entry_type: str, data: object) -> PasskeyFailure | None:
        """Adds ``passkey.enrolled`` / applies ``passkey.revoked`` at ``index``; other types are ignored."""
        if entry_type == 'passkey.enrolled':
            return self._enrol(index, data)
        if entry_type == 'passkey.revoked' and isinstance(data, dict):
            principal, cred = data.get('principal'), data.get('credentialId')
            if isinstance(principal, str) and isinstance(cred, str):
                self._revoked.setdefault((principal, cred), index)
        return None

    def _enrol(self, index: int, data: object) -> PasskeyFailure | None:
        if not isinstance(data, dict):
            return PasskeyFailure(CHECK_ENROLMENT, 'the enrolment has no data object')
        cred, principal, rp_id, origins = (data.get(k) for k in ('credentialId', 'principal', 'rpId', 'origins'))
        if not isinstance(principal, str) or not isinstance(cred, str) or not b64url_decode(cred):
            return PasskeyFailure(CHECK_ENROLMENT, 'the enrolment names no principal or no base64url credential id')
        if not isinstance(rp_id, str) or not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
            return PasskeyFailure(CHECK_ENROLMENT, 'the enrolment names no rpId or origins')
        spki = b64url_decode(data.get('publicKey'))
        key = _load_key(data.get('algorithm'), spki) if spki is not None else None
        if key is None:
            return PasskeyFailure(
                CHECK_ENROLMENT,
                f'credential {cred}: the public key is not an SPKI DER key of algorithm {data.get("algorithm")!r} '
                '(only -7 ES256 on P-256 and -8 EdDSA on Ed25519)',
            )
        earlier = self._keys.get(cred)
        if earlier is not None:
            return PasskeyFailure(CHECK_ENROLMENT, f'credential {cred} was already enrolled at index {earlier.index}')
        algorithm = data['algorithm']
        self._keys[cred] = EnrolledKey(index, principal, cred, algorithm, key, rp_id, tuple(origins))
        return None

    def key_at(self, index: int, principal: object, credential_id: object) -> EnrolledKey | PasskeyFailure:
        """The key valid for ``principal``'s decision at ``index``, or why there is none (check 1)."""
        key = self._keys.get(credential_id) if isinstance(credential_id, str) else None
        if key is None or key.index >= index or key.principal != principal:
            return PasskeyFailure(
                CHECK_KEY_UNKNOWN,
                f'no key {credential_id!r} of {principal!r} was enrolled before this decision',
            )
        revoked = self._revoked.get((key.principal, key.credential_id))
        if revoked is not None and revoked < index:
            return PasskeyFailure(
                CHECK_KEY_REVOKED, f'key {credential_id} was revoked at index {revoked}, before this decision'
            )
        return key


def decision_challenge(nonce: bytes, record: dict[str, Any]) -> bytes:
    """``nonce ‖ SHA-256(canonical {approvalId, verdict, payloadDigest, editsDigest, approver})``.

    Every member comes from the signed decision record, so an assertion made for another approval,
    verdict, payload or edit cannot be moved onto this decision.
    """
    edits = record.get('edits')
    statement = {
        'approvalId': record.get('approvalId'),
        'verdict': record.get('verdict'),
        'payloadDigest': record.get('payloadDigest'),
        'editsDigest': None if edits is None else payload_digest(edits),
        'approver': record.get('decidedBy'),
    }
    return nonce + hashlib.sha256(canonical_json(statement).encode('utf-8')).digest()


def _reject_constant(name: str) -> Any:
    raise ValueError(f'{name} is not JSON')  # Python alone would read NaN and Infinity


def _client_data_problem(raw: bytes, challenge: bytes, origins: tuple[str, ...]) -> str | None:
    """Check 2: clientDataJSON is a ``webauthn.get`` for this decision's challenge from an enrolled origin."""
    try:
        # WebAuthn reads it with WHATWG "UTF-8 decode", which drops one leading BOM (so does core).
        client = json.loads(raw.decode('utf-8-sig'), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return 'clientDataJSON is not UTF-8 JSON'
    if not isinstance(client, dict):
        return 'clientDataJSON is not a JSON object'
    if client.get('type') != 'webauthn.get':
        return f'clientDataJSON type is {json.dumps(client.get("type"))}, not webauthn.get'
    if client.get('challenge') != b64url_encode(challenge):
        return (
            'the signed challenge is not the one recomputed from this decision '
            '(nonce, approval, verdict, payload digest, edits, approver)'
        )
    origin = client.get('origin')
    if not isinstance(origin, str) or origin not in origins:
        return f'origin {json.dumps(origin)} is not one the key was enrolled for'
    return None


def _verify_signature(key: EnrolledKey, signature: bytes, signed: bytes) -> bool:
    try:
        if isinstance(key.public_key, Ed25519PublicKey):
            if len(signature) != 64:
                return False
            key.public_key.verify(signature, signed)
        else:
            key.public_key.verify(signature, signed, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def check_passkey_decision(
    index: int, data: dict[str, Any], record: dict[str, Any], registry: KeyRegistry
) -> PasskeyFailure | None:
    """The five checks of a passkey-signed decision at ``index``, in order; the first failure or None.

    A decision without ``data.passkey`` passes unless ``data.passkeyRequired`` is true
    (``passkey_missing``): whether policy demanded one is the server's call, recorded in the entry.

    Example:
        >>> check_passkey_decision(7, {'passkeyRequired': True}, {}, KeyRegistry()).check
        'passkey_missing'
    """
    passkey = data.get('passkey')
    if passkey is None:
        if data.get('passkeyRequired') is True:
            return PasskeyFailure(CHECK_MISSING, 'policy required a passkey, but the decision carries none')
        return None
    if not isinstance(passkey, dict) or not isinstance(passkey.get('credentialId'), str):
        return PasskeyFailure(CHECK_CLIENT_DATA, 'the passkey assertion is malformed')
    key = registry.key_at(index, record.get('decidedBy'), passkey['credentialId'])
    if isinstance(key, PasskeyFailure):
        return key
    # Every binary member decodes, or the assertion is not one WebAuthn returned (as core's verifier).
    members = {m: b64url_decode(passkey.get(m)) for m in ('nonce', 'authenticatorData', 'clientDataJSON', 'signature')}
    nonce, auth, client_data, signature = members.values()
    if nonce is None or auth is None or client_data is None or signature is None:
        bad = ', '.join(m for m, v in members.items() if v is None)
        return PasskeyFailure(CHECK_CLIENT_DATA, f'the assertion member {bad} is not base64url without padding')
    if len(nonce) != 32:
        return PasskeyFailure(CHECK_CLIENT_DATA, 'the nonce is not 32 bytes')
    try:
        challenge = decision_challenge(nonce, record)
    except (TypeError, ValueError):
        return PasskeyFailure(CHECK_CLIENT_DATA, "the decision's edits have no canonical JSON form")
    problem = _client_data_problem(client_data, challenge, key.origins)
    if problem is not None:
        return PasskeyFailure(CHECK_CLIENT_DATA, problem)
    if len(auth) < 37 or not hmac.compare_digest(auth[:32], hashlib.sha256(key.rp_id.encode('utf-8')).digest()):
        return PasskeyFailure(CHECK_RP_ID, f'authenticatorData is not for the relying party {key.rp_id}')
    flags = auth[32]
    if flags & _FLAG_UP == 0:
        return PasskeyFailure(CHECK_FLAGS, 'the user was not present (UP flag unset)')
    if flags & _FLAG_UV == 0:
        return PasskeyFailure(CHECK_FLAGS, 'the user was not verified (UV flag unset)')
    if not _verify_signature(key, signature, auth + hashlib.sha256(client_data).digest()):
        return PasskeyFailure(
            CHECK_SIGNATURE,
            f'the signature does not verify with passkey {key.credential_id} (enrolled at index {key.index})',
        )
    return None

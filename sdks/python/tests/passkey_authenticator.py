"""A software WebAuthn authenticator and a ledger writer, for the offline passkey checks' tests.

The authenticator makes what a browser returns from ``navigator.credentials.get``: authenticatorData
= SHA-256(rpId) ‖ flags ‖ signCount (4 bytes, big-endian), clientDataJSON as browsers serialise it, and
a signature over authenticatorData ‖ SHA-256(clientDataJSON) (ES256: DER ECDSA on P-256; EdDSA: raw
Ed25519). The writer signs decisions and a checkpoint with a server key, as the server does, so a case
fails *only* on what it breaks in the passkey evidence: the threat is an insider who holds the server
key but not the approver's passkey.

Run as a script, it writes ``sdks/testdata/passkey-unit.json``: named exports and the outcome each
must have (``ok``, or the entry index and check name), read by the Python and the Go tests alike::

    cd sdks/python && python3 tests/passkey_authenticator.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'src'))

from human_sdk.canonical import canonical_json, payload_digest
from human_sdk.ledger import MerkleFrontier, did_key_from_public_key, leaf_hash
from human_sdk.ledger.passkey import ALG_EDDSA, ALG_ES256, b64url_encode, decision_challenge
from human_sdk.ledger.signing import note_key_hash
from human_sdk.ledger.taskheads import TaskHeads

FIXTURE = Path(__file__).resolve().parents[2] / 'testdata' / 'passkey-unit.json'
ORIGIN = 'humanos.test/passkey-unit'
RP_ID = 'humanos.example.com'
WEB_ORIGIN = 'https://humanos.example.com'
ALICE = 'did:web:humanos.example.com:principals:alice'
BOB = 'did:web:humanos.example.com:principals:bob'
AT = '2026-12-06T12:00:00.000Z'
#: The order of P-256's group.
_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

_RAW = serialization.Encoding.Raw
_DER = serialization.Encoding.DER
_X962 = serialization.Encoding.X962
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo


def _ecdsa() -> ec.ECDSA:
    """ECDSA with SHA-256, deterministic (RFC 6979) where ``cryptography`` has it (44+), so the
    generator makes the same fixture byte for byte on every run."""
    try:
        return ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    except TypeError:  # cryptography < 44
        return ec.ECDSA(hashes.SHA256())


DETERMINISTIC = _ecdsa().deterministic_signing if hasattr(ec.ECDSA, 'deterministic_signing') else False


def _seeded(label: str) -> bytes:
    """32 bytes fixed by a label: keys, ids and nonces stay the same on every run of the generator."""
    return hashlib.sha256(b'humanos passkey-unit ' + label.encode()).digest()


class SoftAuthenticator:
    """One passkey: an ES256 (P-256) or EdDSA (Ed25519) key pair and its credential id."""

    def __init__(self, label: str, algorithm: int = ALG_ES256) -> None:
        self.algorithm = algorithm
        self.credential_id = b64url_encode(_seeded('cred ' + label)[:16])
        seed = _seeded('key ' + label)
        if algorithm == ALG_ES256:
            self._ec = ec.derive_private_key(int.from_bytes(seed, 'big') % (_P256_N - 1) + 1, ec.SECP256R1())
            self.spki = self._ec.public_key().public_bytes(_DER, _SPKI)
        else:
            self._ed = Ed25519PrivateKey.from_private_bytes(seed)
            self.spki = self._ed.public_key().public_bytes(_DER, _SPKI)
        self.sign_count = 0

    def sign(self, data: bytes) -> bytes:
        if self.algorithm == ALG_ES256:
            return self._ec.sign(data, _ecdsa())
        return self._ed.sign(data)

    def get(
        self,
        challenge: bytes,
        *,
        rp_id: str = RP_ID,
        origin: str = WEB_ORIGIN,
        kind: str = 'webauthn.get',
        flags: int = 0x05,
        client_tail: str = '',
    ) -> dict[str, str]:
        """An assertion as ``navigator.credentials.get`` returns it (base64url members).

        ``client_tail`` is raw text put before clientDataJSON's closing brace (members browsers add,
        or junk), signed like the rest; byte order marks go before everything instead.
        """
        self.sign_count += 1
        auth = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack('>I', self.sign_count)
        client_text = json.dumps(
            {'type': kind, 'challenge': b64url_encode(challenge), 'origin': origin, 'crossOrigin': False},
            separators=(',', ':'),
        )
        client = (client_text[:-1] + client_tail + '}').encode()
        if client_tail.startswith('\ufeff'):  # a byte order mark goes first
            client = client_tail.encode() + client_text.encode()
        sig = self.sign(auth + hashlib.sha256(client).digest())
        return {
            'authenticatorData': b64url_encode(auth),
            'clientDataJSON': b64url_encode(client),
            'signature': b64url_encode(sig),
        }


def decision_record(
    approval_id: str, decided_by: str = ALICE, verdict: str = 'approved', edits: Any = None
) -> dict[str, Any]:
    """A decision record as the server signs it (the payload digest covers the edited payload)."""
    payload: dict[str, Any] = {'to': 'acme', 'amount': 4200}
    if isinstance(edits, dict):
        payload.update(edits)
    return {
        'type': 'humanos.decision/v1',
        'origin': ORIGIN,
        'approvalId': approval_id,
        'taskId': 'task_' + approval_id,
        'verdict': verdict,
        'decidedBy': decided_by,
        'decidedAt': AT,
        'reason': 'checked the invoice',
        'feedback': None,
        'edits': edits,
        'payloadDigest': payload_digest(payload),
    }


def passkey_evidence(
    auth: SoftAuthenticator,
    record: dict[str, Any],
    *,
    nonce_label: str = 'nonce',
    challenge_record: dict[str, Any] | None = None,
    **assertion: Any,
) -> dict[str, Any]:
    """``data.passkey`` for ``record``: an assertion over the challenge that commits to the decision.

    ``challenge_record`` makes the challenge commit to another decision (the attacks a moved
    assertion would be).
    """
    nonce = _seeded(nonce_label)
    got = auth.get(decision_challenge(nonce, challenge_record or record), **assertion)
    return {'credentialId': auth.credential_id, 'nonce': b64url_encode(nonce), **got, 'userHandle': None}


@dataclass
class LedgerWriter:
    """Appends entries, signing decisions and a final checkpoint with the server's key."""

    server_key: Ed25519PrivateKey = field(default_factory=lambda: Ed25519PrivateKey.from_private_bytes(_seeded('s')))
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.server_key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw))

    def append(self, kind: str, actor: str, data: dict[str, Any], task_id: str | None = None, **extra: Any) -> int:
        self.entries.append({'type': kind, 'actor': actor, 'taskId': task_id, 'data': data, **extra})
        return len(self.entries) - 1

    def enrol(self, auth: SoftAuthenticator, principal: str = ALICE, **override: Any) -> int:
        data = {
            'principal': principal,
            'credentialId': auth.credential_id,
            'publicKey': b64url_encode(auth.spki),
            'algorithm': auth.algorithm,
            'name': 'YubiKey 5',
            'rpId': RP_ID,
            'origins': [WEB_ORIGIN],
            **override,
        }
        return self.append('passkey.enrolled', principal, data)

    def revoke(self, auth: SoftAuthenticator, principal: str = ALICE) -> int:
        data = {'principal': principal, 'credentialId': auth.credential_id, 'reason': 'lost'}
        return self.append('passkey.revoked', principal, data)

    def decide(self, record: dict[str, Any], passkey: Any = None, *, required: bool | None = None) -> int:
        sig = self.server_key.sign(canonical_json(record).encode())
        data: dict[str, Any] = {
            'record': record,
            'signature': '0x' + sig.hex(),
            'gateStatus': record['verdict'],
            'taskStatus': 'running',
            'channel': 'console',
        }
        if passkey is not None:
            data['passkey'] = passkey
        if required is not None:
            data['passkeyRequired'] = required
        return self.append(
            'approval.decided', record['decidedBy'], data, record['taskId'], approvalId=record['approvalId']
        )

    def export(self) -> str:
        """The ``humanos-ledger/1`` JSON Lines export, with one checkpoint over every entry."""
        lines: list[dict[str, Any]] = [
            {'type': 'header', 'format': 'humanos-ledger/1', 'origin': ORIGIN, 'publicKey': self.did}
        ]
        lines[0]['size'] = len(self.entries)
        tree, heads, decisions = MerkleFrontier(), TaskHeads(), []
        for seq, e in enumerate(self.entries):
            text = canonical_json({'v': 1, 'seq': seq, 'at': AT, **e})
            leaf = leaf_hash(text)
            tree.append(leaf)
            if e['taskId'] is not None:
                heads.add(e['taskId'], leaf)
            lines.append({'type': 'entry', 'index': seq, 'entry': text, 'leafHash': leaf.hex(), 'taskId': e['taskId']})
            if e['type'] == 'approval.decided':
                r = e['data']['record']
                row = {k: r[k] for k in ('approvalId', 'verdict', 'payloadDigest')} | {'principalId': r['decidedBy']}
                decisions.append(
                    {
                        'type': 'decision',
                        'ledgerIndex': seq,
                        'record': r,
                        'signature': e['data']['signature'],
                        'row': row,
                    }
                )
        n_tasks, heads_root = heads.root()
        body = (
            f'{ORIGIN}\n{tree.size}\n{base64.b64encode(tree.root()).decode()}\n'
            f'humanos-task-heads {n_tasks} {base64.b64encode(heads_root).decode()}\n'
        )
        pub = self.server_key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        blob = note_key_hash(ORIGIN, pub) + self.server_key.sign(body.encode())
        note = f'{body}\n\u2014 {ORIGIN} {base64.b64encode(blob).decode()}\n'
        out = [*lines, *decisions, {'type': 'checkpoint', 'note': note}]
        return '\n'.join(json.dumps(x, ensure_ascii=False) for x in out) + '\n'


Expect = dict[str, Any]


def _ok() -> Expect:
    return {'ok': True}


def _bad(index: int, check: str) -> Expect:
    return {'ok': False, 'index': index, 'check': check}


def _with(passkey: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {**passkey, **members}


def _case_valid(alg: int) -> Callable[[], tuple[LedgerWriter, Expect]]:
    def build() -> tuple[LedgerWriter, Expect]:
        w, a = LedgerWriter(), SoftAuthenticator('alice', alg)
        w.enrol(a)
        rec = decision_record('apr_1')
        w.decide(rec, passkey_evidence(a, rec), required=True)
        # Revoked after the decision: the decision stays valid (the key was valid at its index).
        w.revoke(a)
        w.decide(decision_record('apr_2'), required=False)  # policy asked for no passkey
        return w, _ok()

    return build


def _one_decision(
    passkey: Callable[[SoftAuthenticator, dict[str, Any]], Any],
    check: str,
    *,
    alg: int = ALG_ES256,
    record: dict[str, Any] | None = None,
) -> Callable[[], tuple[LedgerWriter, Expect]]:
    """Alice enrols at 0, then decides at 1 with the evidence ``passkey`` makes; it fails ``check`` ('': valid)."""

    def build() -> tuple[LedgerWriter, Expect]:
        w, a = LedgerWriter(), SoftAuthenticator('alice', alg)
        w.enrol(a)
        rec = record or decision_record('apr_1')
        at = w.decide(rec, passkey(a, rec))
        return w, _bad(at, check) if check else _ok()

    return build


def _flip_last(text: str) -> str:
    raw = base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))
    return b64url_encode(raw[:-1] + bytes([raw[-1] ^ 0x01]))


def _der(r: int, s: int, *, pad_r: bool = False) -> bytes:
    """An ECDSA-Sig-Value by hand (``encode_dss_signature`` only writes minimal DER)."""

    def integer(n: int, pad: bool) -> bytes:
        body = n.to_bytes((n.bit_length() + 8) // 8, 'big')  # a leading 0 when the top bit is set
        body = b'\x00' + body if pad else body
        return b'\x02' + bytes([len(body)]) + body

    seq = integer(r, pad_r) + integer(s, False)
    return b'\x30' + bytes([len(seq)]) + seq


def _resign(passkey: dict[str, Any], spell: Callable[[int, int], bytes]) -> dict[str, Any]:
    """The same ES256 signature (r, s) spelled another way by ``spell``."""
    sig = base64.urlsafe_b64decode(passkey['signature'] + '=' * (-len(passkey['signature']) % 4))
    r, s = decode_dss_signature(sig)
    return _with(passkey, signature=b64url_encode(spell(r, s)))


def _enrolled_after() -> tuple[LedgerWriter, Expect]:
    w, a = LedgerWriter(), SoftAuthenticator('alice')
    rec = decision_record('apr_1')
    at = w.decide(rec, passkey_evidence(a, rec))
    w.enrol(a)
    return w, _bad(at, 'passkey_key_unknown')


def _revoked(*, before_enrolment: bool) -> Callable[[], tuple[LedgerWriter, Expect]]:
    """Revoked before the decision; the rule names the pair, so a revocation logged even before the
    enrolment of that (principal, credential) counts."""

    def build() -> tuple[LedgerWriter, Expect]:
        w, a = LedgerWriter(), SoftAuthenticator('alice')
        if before_enrolment:
            w.revoke(a)
        w.enrol(a)
        if not before_enrolment:
            w.revoke(a)
        rec = decision_record('apr_1')
        return w, _bad(w.decide(rec, passkey_evidence(a, rec)), 'passkey_key_revoked')

    return build


def _other_principal() -> tuple[LedgerWriter, Expect]:
    w, a = LedgerWriter(), SoftAuthenticator('bob')
    w.enrol(a, BOB)  # Bob's key, used for a decision recorded as Alice's
    rec = decision_record('apr_1', ALICE)
    return w, _bad(w.decide(rec, passkey_evidence(a, rec)), 'passkey_key_unknown')


def _other_revoked() -> tuple[LedgerWriter, Expect]:
    """A revocation names (principal, credential): another principal's revocation ends nothing."""
    w, a = LedgerWriter(), SoftAuthenticator('alice')
    w.enrol(a)
    w.revoke(a, BOB)
    rec = decision_record('apr_1')
    w.decide(rec, passkey_evidence(a, rec))
    return w, _ok()


def _duplicate() -> tuple[LedgerWriter, Expect]:
    w, a = LedgerWriter(), SoftAuthenticator('alice')
    w.enrol(a)
    return w, _bad(w.enrol(a, name='again'), 'passkey_enrolment')


def _bad_enrolment(**override: Any) -> Callable[[], tuple[LedgerWriter, Expect]]:
    def build() -> tuple[LedgerWriter, Expect]:
        w = LedgerWriter()
        return w, _bad(w.enrol(SoftAuthenticator('alice'), **override), 'passkey_enrolment')

    return build


def _compressed_spki() -> bytes:
    """Alice's P-256 key as an SPKI with a compressed point: the same key, not the spelling enrolment writes."""
    point = SoftAuthenticator('alice')._ec.public_key().public_bytes(_X962, serialization.PublicFormat.CompressedPoint)
    return bytes.fromhex('3039301306072a8648ce3d020106082a8648ce3d030107032200') + point


def _missing() -> tuple[LedgerWriter, Expect]:
    w, a = LedgerWriter(), SoftAuthenticator('alice')
    w.enrol(a)
    return w, _bad(w.decide(decision_record('apr_1'), required=True), 'passkey_missing')


def _two_keys_ed25519() -> tuple[LedgerWriter, Expect]:
    """Alice has two keys; an Ed25519 one signs, with edits and a rejection."""
    w, es, ed = LedgerWriter(), SoftAuthenticator('alice'), SoftAuthenticator('alice-ed', ALG_EDDSA)
    w.enrol(es)
    w.enrol(ed, name='Titan')
    rec = decision_record('apr_1', verdict='rejected', edits={'amount': 4100})
    w.decide(rec, passkey_evidence(ed, rec, nonce_label='n2'), required=True)
    return w, _ok()


_ED25519_L = 2**252 + 27742317777372353535851937790883648493


def _ed_signature(respell: Callable[[bytes], bytes]) -> Callable[[], tuple[LedgerWriter, Expect]]:
    """An Ed25519 decision whose signature ``respell`` changes; it must fail passkey_signature."""

    def build() -> tuple[LedgerWriter, Expect]:
        w, ed = LedgerWriter(), SoftAuthenticator('alice-ed', ALG_EDDSA)
        w.enrol(ed)
        rec = decision_record('apr_1')
        pk = passkey_evidence(ed, rec)
        sig = base64.urlsafe_b64decode(pk['signature'] + '==')
        return w, _bad(w.decide(rec, _with(pk, signature=b64url_encode(respell(sig)))), 'passkey_signature')

    return build


def _s_plus_l(sig: bytes) -> bytes:
    """The same signature with S + L for S (equal mod L, but not reduced: malleable, refused)."""
    s = int.from_bytes(sig[32:], 'little') + _ED25519_L
    assert s < 2**256
    return sig[:32] + s.to_bytes(32, 'little')


CASES: dict[str, Callable[[], tuple[LedgerWriter, Expect]]] = {
    'valid-es256-revoked-after': _case_valid(ALG_ES256),
    'valid-ed25519-revoked-after': _case_valid(ALG_EDDSA),
    'valid-ed25519-edits-rejected': _two_keys_ed25519,
    'valid-other-principal-revocation': _other_revoked,
    'missing-passkey-required': _missing,
    'key-never-enrolled': _one_decision(
        lambda a, r: passkey_evidence(SoftAuthenticator('mallory'), r), 'passkey_key_unknown'
    ),
    'key-enrolled-after-decision': _enrolled_after,
    'key-of-another-principal': _other_principal,
    'key-revoked-before-enrolment': _revoked(before_enrolment=True),
    'key-revoked-before-decision': _revoked(before_enrolment=False),
    'key-credential-id-not-base64url': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), credentialId=a.credential_id + '='), 'passkey_key_unknown'
    ),
    'passkey-not-an-object': _one_decision(lambda a, r: 'signed', 'passkey_client_data'),
    'passkey-credential-id-missing': _one_decision(
        lambda a, r: {k: v for k, v in passkey_evidence(a, r).items() if k != 'credentialId'}, 'passkey_client_data'
    ),
    'enrolment-duplicate': _duplicate,
    'enrolment-public-key-not-der': _bad_enrolment(publicKey=b64url_encode(b'\x30\x03\x02\x01\x07')),
    'enrolment-public-key-not-base64url': _bad_enrolment(publicKey='MFkw+EwYH'),
    'enrolment-public-key-compressed-point': _bad_enrolment(publicKey=b64url_encode(_compressed_spki())),
    'enrolment-algorithm-mismatch': _bad_enrolment(algorithm=ALG_EDDSA),
    'enrolment-algorithm-rs256': _bad_enrolment(algorithm=-257),
    'client-data-type-create': _one_decision(
        lambda a, r: passkey_evidence(a, r, kind='webauthn.create'), 'passkey_client_data'
    ),
    'client-data-wrong-origin': _one_decision(
        lambda a, r: passkey_evidence(a, r, origin='https://evil.example.com'), 'passkey_client_data'
    ),
    'client-data-challenge-other-approval': _one_decision(
        lambda a, r: passkey_evidence(a, r, challenge_record=decision_record('apr_2')), 'passkey_client_data'
    ),
    'client-data-challenge-other-verdict': _one_decision(
        lambda a, r: passkey_evidence(a, r, challenge_record=decision_record('apr_1', verdict='rejected')),
        'passkey_client_data',
    ),
    'client-data-challenge-other-payload-digest': _one_decision(
        lambda a, r: passkey_evidence(a, r, challenge_record={**r, 'payloadDigest': payload_digest({'to': 'x'})}),
        'passkey_client_data',
    ),
    'client-data-challenge-other-edits': _one_decision(
        lambda a, r: passkey_evidence(a, r, challenge_record={**r, 'edits': {'amount': 1}}),
        'passkey_client_data',
    ),
    'client-data-challenge-other-approver': _one_decision(
        lambda a, r: passkey_evidence(a, r, challenge_record={**r, 'decidedBy': BOB}), 'passkey_client_data'
    ),
    'client-data-nonce-swapped': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), nonce=b64url_encode(_seeded('other nonce'))),
        'passkey_client_data',
    ),
    'client-data-nonce-short': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), nonce=b64url_encode(b'short')), 'passkey_client_data'
    ),
    'client-data-not-json': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), clientDataJSON=b64url_encode(b'{"type":')), 'passkey_client_data'
    ),
    'client-data-not-utf8': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), clientDataJSON=b64url_encode(b'{"type":"\xff"}')),
        'passkey_client_data',
    ),
    'valid-client-data-extra-members': _one_decision(
        # Chrome adds members at random; a number no float holds is still JSON.
        lambda a, r: passkey_evidence(a, r, client_tail=',"other_keys_can_be_added_here":"x","n":1e400'),
        '',
    ),
    'valid-client-data-byte-order-mark': _one_decision(lambda a, r: passkey_evidence(a, r, client_tail='\ufeff'), ''),
    'client-data-two-byte-order-marks': _one_decision(
        lambda a, r: passkey_evidence(a, r, client_tail='\ufeff\ufeff'), 'passkey_client_data'
    ),
    'client-data-trailing-text': _one_decision(
        lambda a, r: passkey_evidence(a, r, client_tail='}{'), 'passkey_client_data'
    ),
    'client-data-challenge-twice-last-wins': _one_decision(
        # Duplicate members: every verifier reads the last (JSON.parse's rule), here another challenge.
        lambda a, r: passkey_evidence(a, r, client_tail=',"challenge":"AAAA"'),
        'passkey_client_data',
    ),
    'client-data-not-base64url': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), clientDataJSON='eyJ0eXBlIjoi!'), 'passkey_client_data'
    ),
    'rp-id-wrong': _one_decision(lambda a, r: passkey_evidence(a, r, rp_id='evil.example.com'), 'passkey_rp_id'),
    'authenticator-data-short': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), authenticatorData=b64url_encode(bytes(36))), 'passkey_rp_id'
    ),
    'authenticator-data-not-base64url': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), authenticatorData='A'), 'passkey_client_data'
    ),
    'flags-uv-false': _one_decision(lambda a, r: passkey_evidence(a, r, flags=0x01), 'passkey_flags'),
    'flags-up-false': _one_decision(lambda a, r: passkey_evidence(a, r, flags=0x04), 'passkey_flags'),
    'signature-flipped-es256': _one_decision(
        lambda a, r: (lambda p: _with(p, signature=_flip_last(p['signature'])))(passkey_evidence(a, r)),
        'passkey_signature',
    ),
    'signature-flipped-ed25519': _ed_signature(lambda sig: sig[:-1] + bytes([sig[-1] ^ 0x01])),
    'signature-ed25519-s-not-reduced': _ed_signature(_s_plus_l),
    'signature-ed25519-truncated': _ed_signature(lambda sig: sig[:63]),
    'valid-signature-high-s': _one_decision(
        # ECDSA's other valid form (r, n - s): WebAuthn does not require low S, nor does any verifier.
        lambda a, r: _resign(passkey_evidence(a, r), lambda sig_r, sig_s: _der(sig_r, _P256_N - sig_s)),
        '',
    ),
    'signature-der-not-minimal': _one_decision(
        # The same (r, s) with a needless leading zero byte in r: BER, not DER.
        lambda a, r: _resign(passkey_evidence(a, r), lambda sig_r, sig_s: _der(sig_r, sig_s, pad_r=True)),
        'passkey_signature',
    ),
    'signature-der-trailing-bytes': _one_decision(
        lambda a, r: _resign(passkey_evidence(a, r), lambda sig_r, sig_s: _der(sig_r, sig_s) + b'\x00'),
        'passkey_signature',
    ),
    'signature-not-der': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), signature=b64url_encode(bytes(70))),
        'passkey_signature',
    ),
    'signature-not-base64url': _one_decision(
        lambda a, r: _with(passkey_evidence(a, r), signature='MEUCIQ=='), 'passkey_client_data'
    ),
    'signature-by-another-key': _one_decision(
        lambda a, r: _with(
            passkey_evidence(a, r), signature=passkey_evidence(SoftAuthenticator('mallory'), r)['signature']
        ),
        'passkey_signature',
    ),
}


def build_fixture() -> dict[str, Any]:
    """Every case's export and outcome, with the server key the exports are signed by."""
    cases = []
    for name, build in CASES.items():
        w, expect = build()
        cases.append({'name': name, 'export': w.export(), 'expect': expect})
    return {
        'comment': 'Made by sdks/python/tests/passkey_authenticator.py (a software authenticator); '
        'each export must verify as `expect` says (index and check name of the first failure).',
        'publicKey': LedgerWriter().did,
        'cases': cases,
    }


def fixture_text() -> str:
    return json.dumps(build_fixture(), indent=1, ensure_ascii=False) + '\n'


if __name__ == '__main__':
    FIXTURE.write_text(fixture_text(), encoding='utf-8')
    print(f'wrote {FIXTURE}')

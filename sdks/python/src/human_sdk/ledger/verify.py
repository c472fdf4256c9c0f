"""Offline verification of a HumanOS ledger export: an auditor's tool that needs only Python.

A port of ``verifyLedger`` / ``parseLedgerExport`` (``packages/core/src/ledger.ts``) plus checkpoint
pinning: given a checkpoint you trusted earlier (its size and root), the log must extend it, proved by
an RFC 6962 consistency proof, so a server that rewrote or truncated history is caught.

Example:
    >>> from human_sdk.ledger import parse_ledger_export, verify_ledger
    >>> report = verify_ledger(parse_ledger_export(open('ledger.jsonl').read()))  # doctest: +SKIP
    >>> report.ok, report.first_bad_index, report.reason  # doctest: +SKIP
    (True, None, None)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..canonical import canonical_json
from .delegation import DELEGATION_KINDS, DelegationFailure, DelegationRegistry
from .keys import KEY_ROTATED, KeyChain, KeyInForce
from .merkle import MemoryMerkleTree, MerkleError, MerkleFrontier, leaf_hash, verify_consistency
from .passkey import KeyRegistry, PasskeyFailure, check_passkey_decision
from .signing import (
    SignatureError,
    hex_to_bytes,
    note_signatures,
    open_checkpoint,
    public_key_bytes,
    verify_decision_signature,
)
from .taskheads import TaskHeads, task_heads_from_extensions
from .witness import WitnessPolicy

__all__ = [
    'LedgerBundle',
    'LedgerExportError',
    'TrustedCheckpoint',
    'VerifyReport',
    'parse_ledger_export',
    'verify_ledger',
]

# The canonical (key-sorted) encoding of an entry ends with exactly these four members.
_ENTRY_TAIL = re.compile(
    r'^"seq":(0|[1-9][0-9]*),"taskId":(null|"(?:[^"\\]|\\.)*"),"type":"([^"\\]*)","v":(?:0|[1-9][0-9]*)}$',
    re.DOTALL,
)


# The entries whose data the verifier reads: decisions, the approver key registry's and delegations.
_READ_KINDS = frozenset({'approval.decided', 'passkey.enrolled', 'passkey.revoked'}) | DELEGATION_KINDS


class LedgerExportError(ValueError):
    """An export that cannot be read at all (not JSON Lines, no header, an unknown line type)."""


@dataclass
class LedgerBundle:
    """A parsed ``GET /ledger/export``: entries as stored, signed checkpoints, the store's decision rows."""

    origin: str
    public_key: str
    entries: list[dict[str, Any]]
    checkpoints: list[str]
    decisions: list[dict[str, Any]] = field(default_factory=list)
    #: The header's signing-key history (``keys``), None in an export from before rotations: the log's
    #: first key is its first element; the log's rotations must hand it on to the others.
    keys: list[KeyInForce] | None = None


@dataclass(frozen=True)
class TrustedCheckpoint:
    """A checkpoint you verified before: the log must still contain it (pinning).

    ``root`` is the 32-byte root hash; build one from the checkpoint endpoint's answer with
    :meth:`from_hex` (``rootHash`` is ``0x``-hex) or from a report's ``checkpoint``.
    """

    size: int
    root: bytes

    @classmethod
    def from_hex(cls, size: int, root_hash: str) -> TrustedCheckpoint:
        return cls(size=size, root=hex_to_bytes(root_hash))

    @classmethod
    def from_base64(cls, size: int, root_hash: str) -> TrustedCheckpoint:
        return cls(size=size, root=base64.b64decode(root_hash, validate=True))


@dataclass
class VerifyReport:
    """The verdict: ``ok``, how much was checked, and the first bad index with the reason when not ok."""

    ok: bool
    size: int
    checkpoints_verified: int
    decisions_verified: int
    first_bad_index: int | None = None
    reason: str | None = None
    #: The passkey or delegation check that failed at ``first_bad_index`` (``passkey_signature``,
    #: ``delegation_window``, …; see ``docs/ledger.md``), None for other failures.
    check: str | None = None
    #: The largest signed checkpoint that verified: pin it for the next run.
    checkpoint: TrustedCheckpoint | None = None
    #: True when a trusted checkpoint was given and the log was proved to extend it.
    consistent_with_trusted: bool | None = None
    #: With a witness policy: the size of the newest checkpoint a quorum of its witnesses cosigned.
    witnessed_size: int | None = None
    #: The signing keys in force, from the first one through the log's rotations.
    keys: list[KeyInForce] = field(default_factory=list)


def parse_ledger_export(text: str) -> LedgerBundle:
    """Parses the JSON Lines export (header, entries, decisions, checkpoints) into a bundle."""
    header: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    checkpoints: list[str] = []
    decisions: list[dict[str, Any]] = []
    for n, line in enumerate(text.split('\n')):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise LedgerExportError(f'export line {n + 1} is not JSON') from e
        kind = rec.get('type') if isinstance(rec, dict) else None
        if kind == 'header':
            header = rec
        elif kind == 'entry':
            item = {'index': rec.get('index'), 'entry': rec.get('entry'), 'leafHash': rec.get('leafHash')}
            if 'taskId' in rec:  # the store's index column, checked against the signed entry
                item['taskId'] = rec['taskId']
            entries.append(item)
        elif kind == 'checkpoint':
            checkpoints.append(rec.get('note'))
        elif kind == 'decision':
            decisions.append(
                {
                    'ledgerIndex': rec.get('ledgerIndex'),
                    'record': rec.get('record'),
                    'signature': rec.get('signature'),
                    'row': rec.get('row'),
                }
            )
        else:
            raise LedgerExportError(f'export line {n + 1} has an unknown type')
    if header is None:
        raise LedgerExportError('export has no header line')
    return LedgerBundle(
        keys=_header_keys(header.get('keys')),
        origin=str(header.get('origin')),
        public_key=str(header.get('publicKey')),
        entries=entries,
        checkpoints=checkpoints,
        decisions=decisions,
    )


def _header_keys(keys: object) -> list[KeyInForce] | None:
    if keys is None:
        return None
    if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
        raise LedgerExportError("the export header's keys is not a list of {publicKey, fromSize}")
    out = [KeyInForce(public_key=k.get('publicKey'), from_size=k.get('fromSize')) for k in keys]
    if not all(isinstance(k.public_key, str) and type(k.from_size) is int for k in out):
        raise LedgerExportError("the export header's keys is not a list of {publicKey, fromSize}")
    return out


def _entry_tail(entry: str) -> tuple[int, str | None, str] | None:
    """``seq``, ``taskId`` and ``type`` from the canonical entry's tail, without parsing it (see ledger.ts)."""
    at = entry.rfind('"seq":')
    if at < 0:
        return None
    m = _ENTRY_TAIL.match(entry[at:])
    if m is None:
        return None
    task_id = None if m.group(2) == 'null' else json.loads(m.group(2))
    return int(m.group(1)), task_id, m.group(3)


def _stored_decision_problem(logged: tuple[Any, str] | None, d: dict[str, Any]) -> str | None:
    """Why a stored decision (its record and its row's columns) differs from the signed one, or None."""
    if logged is None:
        return 'a stored decision points at a ledger entry that is not a decision'
    record, signature = logged
    try:
        same = canonical_json(record) == canonical_json(d.get('record')) and signature == d.get('signature')
    except (TypeError, ValueError):
        same = False
    if not same:
        return 'the stored decision differs from the decision signed into the ledger'
    row = d.get('row')
    if row is not None and (
        not isinstance(row, dict)
        or row.get('verdict') != record.get('verdict')
        or row.get('principalId') != record.get('decidedBy')
        or row.get('payloadDigest') != record.get('payloadDigest')
        or row.get('approvalId') != record.get('approvalId')
    ):
        return 'the stored decision row (verdict, decider, digest) differs from the signed decision'
    return None


class _Bad(Exception):
    """Verification stops here: ``index`` is the first entry that cannot be trusted (None: not one)."""

    def __init__(self, index: int | None, reason: str, check: str | None = None) -> None:
        super().__init__(reason)
        self.index, self.reason, self.check = index, reason, check

    @classmethod
    def passkey(cls, index: int, failure: PasskeyFailure | DelegationFailure) -> _Bad:
        return cls(index, failure.reason, failure.check)


def _claimed_size(note: str) -> int:
    """The size a checkpoint note claims, read before its signature is checked (to pick the key in force
    at that size; the signature then covers it). 0 when unreadable: opening it fails anyway."""
    lines = note_signatures(note)[0].split('\n')
    return int(lines[1]) if len(lines) > 2 and lines[1].isascii() and lines[1].isdigit() else 0


def _open_checkpoints(bundle: LedgerBundle, chain: KeyChain) -> list[tuple[int, bytes, Any, str]]:
    """The export's checkpoints, each signature verified with the key in force at its size, sorted by
    size (so entries are streamed once and each root is compared the moment the stream reaches its size)."""
    checkpoints: list[tuple[int, bytes, Any, str]] = []
    for note in bundle.checkpoints:
        try:
            if not isinstance(note, str):
                raise SignatureError('checkpoint note is not text')
            cp = open_checkpoint(note, bundle.origin, chain.for_size(_claimed_size(note)))
            heads_line = task_heads_from_extensions(cp.extensions)
        except (SignatureError, ValueError) as e:
            raise _Bad(None, f'checkpoint rejected: {e}') from e
        checkpoints.append((cp.size, cp.root, heads_line, note))
    checkpoints.sort(key=lambda c: c[0])
    # Task-heads lines started at some size (older logs have checkpoints without): once one signs
    # them, every later one must.
    signing = [c[2] is not None for c in checkpoints]
    if True in signing and not all(signing[signing.index(True) :]):
        legacy = next(c for c in checkpoints[signing.index(True) :] if c[2] is None)
        raise _Bad(None, f'the checkpoint of size {legacy[0]} signs no task-heads root, though an earlier one does')
    return checkpoints


def _key_chain(bundle: LedgerBundle, first: bytes) -> KeyChain:
    """The keys in force: the first one, then each ``ledger.key_rotated`` entry of the log, accepted only
    when the key in force signed it. The header's history (when it has one) must list exactly these
    keys from these sizes, its ``publicKey`` being the last."""
    chain = KeyChain(first)
    listed = bundle.keys
    if listed is not None and listed[-1].public_key != bundle.public_key:
        raise _Bad(None, "the export header's publicKey is not the last key of its key list")
    if listed is not None and listed[0].from_size != 0:
        raise _Bad(None, "the export header's key list does not start at size 0")
    declared = {k.from_size - 1: k for k in (listed or [])[1:]}
    for i, item in enumerate(bundle.entries):
        entry = item.get('entry')
        tail = _entry_tail(entry) if isinstance(entry, str) else None
        if tail is None or tail[2] != KEY_ROTATED:
            if i in declared:
                key = declared[i].public_key
                raise _Bad(i, f'the export declares key {key} from size {i + 1}, but entry {i} is no key rotation')
            continue  # an unreadable entry is named by the pass over the entries
        why = chain.fold(i, _entry_data(i, str(entry))[1], bundle.origin)
        if why is not None:
            raise _Bad(i, why)
        now = chain.history[-1]
        if listed is not None and (len(listed) < len(chain.history) or listed[len(chain.history) - 1] != now):
            raise _Bad(
                i, f"the key rotation to {now.public_key} is not in the export header's key list at size {i + 1}"
            )
    if listed is not None and len(listed) > len(chain.history):
        raise _Bad(None, 'the export header lists signing keys the log never rotated to')
    return chain


def _entry_data(i: int, entry: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parsed entry and its ``data`` object (empty when absent or not an object)."""
    try:
        parsed = json.loads(entry)
    except (json.JSONDecodeError, RecursionError) as e:
        raise _Bad(i, 'entry is not JSON') from e
    if not isinstance(parsed, dict):
        return {}, {}
    data = parsed.get('data')
    return parsed, data if isinstance(data, dict) else {}


def _signed_decision(i: int, parsed: dict[str, Any], data: dict[str, Any], public_key: bytes) -> tuple[Any, str]:
    """The record and signature of an ``approval.decided`` entry, once its signature verifies."""
    record = data.get('record')
    signature = data.get('signature')
    if (
        not isinstance(record, dict)
        or not isinstance(signature, str)
        or not verify_decision_signature(record, signature, public_key)
    ):
        raise _Bad(i, 'decision signature does not verify')
    if record.get('approvalId') != parsed.get('approvalId') or record.get('taskId') != parsed.get('taskId'):
        raise _Bad(i, 'decision record names another approval or task than its entry')
    return record, signature


def _checked_leaf(i: int, item: dict[str, Any]) -> tuple[str, bytes, str | None, str]:
    """Entry ``i`` as stored: its canonical text, leaf hash, task and type, after the checks that
    need no key (position, sequence, recorded leaf hash, the store's task column)."""
    if item.get('index') != i:
        raise _Bad(i, f'entry at position {i} claims index {item.get("index")} (missing or reordered)')
    entry = item.get('entry')
    head = _entry_tail(entry) if isinstance(entry, str) else None
    if not isinstance(entry, str) or head is None:
        raise _Bad(i, 'entry is not a canonical ledger entry')
    seq, task_id, kind = head
    if seq != i:
        raise _Bad(i, f'entry seq is {seq}, want {i} (missing or reordered)')
    leaf = leaf_hash(entry)
    recorded = item.get('leafHash')
    if recorded is not None and leaf.hex() != recorded:
        raise _Bad(i, 'entry does not match the leaf hash recorded when it was appended')
    # The store's index column must name the signed entry's task (an edited one hides the entry).
    if 'taskId' in item and item['taskId'] != task_id:
        raise _Bad(
            i,
            f"the stored taskId column ({json.dumps(item['taskId'])}) differs from the signed entry's "
            f'taskId ({json.dumps(task_id)})',
        )
    return entry, leaf, task_id, kind


class _Verification:
    """One pass over an export: the Merkle tree and task heads as the entries stream by, compared with
    each signed checkpoint as the stream reaches its size."""

    def __init__(self, bundle: LedgerBundle, trusted: TrustedCheckpoint | None, proof: Sequence[bytes] | None) -> None:
        self.bundle, self.trusted, self.proof = bundle, trusted, proof
        self.tree = MerkleFrontier()
        self.heads = TaskHeads()
        self.checkpoints: list[tuple[int, bytes, Any, str]] = []
        self.chain: KeyChain | None = None
        self.witnessed: int | None = None
        self.next_checkpoint = 0
        self.last_good = 0
        self.checkpoints_verified = 0
        self.decisions: dict[int, tuple[Any, str]] = {}
        # The approver key registry, folded in log order: a decision sees only the keys logged before it.
        self.keys = KeyRegistry()
        # The delegations, folded the same way: an on-behalf decision must cite an earlier one.
        self.delegations = DelegationRegistry()
        # The leaves, kept only to compute a consistency proof nobody supplied.
        self.leaves: list[bytes] | None = [] if trusted is not None and proof is None else None

    @property
    def latest(self) -> tuple[int, bytes] | None:
        return self.checkpoints[-1][:2] if self.checkpoints else None

    def run(self, trusted_key: bytes | None, policy: WitnessPolicy | None) -> bool | None:
        """Every check in order; raises :class:`_Bad` at the first failure. Returns whether the log is
        consistent with the trusted checkpoint (None without one)."""
        try:
            first = public_key_bytes(self.bundle.keys[0].public_key if self.bundle.keys else self.bundle.public_key)
        except SignatureError as e:
            raise _Bad(None, f"the export header's public key is rejected: {e}") from e
        self.chain = chain = _key_chain(self.bundle, first)
        self.checkpoints = _open_checkpoints(self.bundle, chain)
        if trusted_key is not None:
            self.check_trusted_key(chain, trusted_key)
        cosigned = [self.cosigned(policy, c) for c in self.checkpoints] if policy is not None else []
        if self.trusted is not None:
            longest = max(len(self.bundle.entries), self.latest[0] if self.latest else 0)
            if longest < self.trusted.size:
                why = f'the log has {longest} entries, fewer than the trusted checkpoint of size {self.trusted.size}'
                raise _Bad(longest, why)
        self.check_roots()
        for i, item in enumerate(self.bundle.entries):
            self.add(i, item, chain.for_entry(i))
        if self.next_checkpoint < len(self.checkpoints):
            covered, size = self.checkpoints[self.next_checkpoint][0], self.tree.size
            raise _Bad(size, f'a signed checkpoint covers {covered} entries but only {size} are present')
        self.check_decision_rows()
        consistent = self.check_consistency()
        if policy is not None:
            self.check_witnesses(policy, cosigned)
        return consistent

    def check_trusted_key(self, chain: KeyChain, trusted_key: bytes) -> None:
        """The key the user trusts must be one of the log's keys; when it is not the first, it (or a key it
        handed the log to) must have signed a checkpoint, which covers the rotations before it: a history
        of keys nobody trusts, ending in a rotation to the trusted key that it never sealed, proves nothing."""
        at = chain.position(trusted_key)
        if at is None:
            raise _Bad(None, "the trusted public key is not one of the log's signing keys")
        if at > 0 and not any(self.sealed_by(chain, at, c) for c in self.checkpoints):
            raise _Bad(None, 'no checkpoint is signed by the trusted public key or a key it handed the log to')

    def sealed_by(self, chain: KeyChain, at: int, checkpoint: tuple[int, bytes, Any, str]) -> bool:
        """Whether the key at ``at`` of the chain (or a later one) signed this checkpoint: one signed in its
        time, or the checkpoint sealing its rotation, which carries the next key's signature too."""
        if chain.index_for_size(checkpoint[0]) >= at:
            return True
        keys = chain.keys_from(at)
        if checkpoint[0] < keys[0][1]:
            return False
        for key, _ in keys:
            try:
                open_checkpoint(checkpoint[3], self.bundle.origin, key)
                return True
            except ValueError:  # SignatureError, or a note that does not parse
                continue
        return False

    @staticmethod
    def cosigned(policy: WitnessPolicy, checkpoint: tuple[int, bytes, Any, str]) -> int:
        """How many policy witnesses cosigned this checkpoint; a policy witness's bad line fails."""
        try:
            return len(policy.cosigners(checkpoint[3]))
        except SignatureError as e:
            raise _Bad(None, f'the checkpoint of size {checkpoint[0]} is rejected: {e}') from e

    def check_witnesses(self, policy: WitnessPolicy, cosigned: list[int]) -> None:
        """The newest checkpoint (every one matched the entries above) a quorum of the policy cosigned."""
        witnessed = [c[0] for c, n in zip(self.checkpoints, cosigned, strict=True) if n >= policy.quorum]
        if not witnessed:
            n = len(policy.witnesses)
            raise _Bad(None, f'no checkpoint carries valid cosignatures of {policy.quorum} of the {n} policy witnesses')
        self.witnessed = max(witnessed)

    def add(self, i: int, item: dict[str, Any], public_key: bytes) -> None:
        entry, leaf, task_id, kind = _checked_leaf(i, item)
        if kind in _READ_KINDS:
            parsed, data = _entry_data(i, entry)
            if kind == 'approval.decided':
                record, signature = _signed_decision(i, parsed, data, public_key)
                bad_delegation = self.delegations.check_decision(record)
                if bad_delegation is not None:
                    raise _Bad.passkey(i, bad_delegation)
                bad_passkey = check_passkey_decision(i, data, record, self.keys)
                if bad_passkey is not None:
                    raise _Bad.passkey(i, bad_passkey)
                self.decisions[i] = (record, signature)
            elif kind in DELEGATION_KINDS:
                bad_entry = self.delegations.fold(i, kind, data)
                if bad_entry is not None:
                    raise _Bad.passkey(i, bad_entry)
            else:
                bad_key = self.keys.fold(i, kind, data)
                if bad_key is not None:
                    raise _Bad.passkey(i, bad_key)
        self.tree.append(leaf)
        if task_id is not None:
            self.heads.add(task_id, leaf)
        if self.leaves is not None:
            self.leaves.append(leaf)
        self.check_roots()

    def check_roots(self) -> None:
        """Compares the roots with every signed checkpoint of the tree's current size."""
        size = self.tree.size
        while self.next_checkpoint < len(self.checkpoints) and self.checkpoints[self.next_checkpoint][0] == size:
            _, cp_root, cp_heads, _ = self.checkpoints[self.next_checkpoint]
            where = f'(bad entry in [{self.last_good}, {size}))'
            if self.tree.root() != cp_root:
                why = f'root of the first {size} entries differs from the signed checkpoint {where}'
                raise _Bad(self.last_good, why)
            if cp_heads is not None and self.heads.root() != cp_heads:
                raise _Bad(
                    self.last_good,
                    f"the task heads of the first {size} entries differ from the signed checkpoint's {where}",
                )
            self.last_good = size
            self.checkpoints_verified += 1
            self.next_checkpoint += 1

    def check_decision_rows(self) -> None:
        """The store's decision rows must say exactly what the log says: a row edited after the fact is
        named by the index of the entry it contradicts."""
        for d in self.bundle.decisions:
            idx = d.get('ledgerIndex')
            problem = _stored_decision_problem(self.decisions.get(idx) if isinstance(idx, int) else None, d)
            if problem is not None:
                raise _Bad(idx if isinstance(idx, int) else None, problem)

    def check_consistency(self) -> bool | None:
        trusted = self.trusted
        if trusted is None:
            return None
        if self.latest is None:
            raise _Bad(None, 'the export has no signed checkpoint to prove consistency with the trusted one')
        size2, root2 = self.latest
        try:
            if self.proof is not None:
                proof = list(self.proof)
            elif trusted.size in (0, size2):
                proof = []
            else:
                proof = MemoryMerkleTree(self.leaves or []).consistency_proof(trusted.size, size2)
            if trusted.size != 0:  # every log extends the empty one
                verify_consistency(trusted.size, size2, proof, trusted.root, root2)
        except MerkleError as e:
            why = f'the log is not consistent with the trusted checkpoint of size {trusted.size}: {e}'
            raise _Bad(None, why) from e
        return True

    def report(self, bad: _Bad | None = None, consistent: bool | None = None) -> VerifyReport:
        latest = self.latest
        return VerifyReport(
            ok=bad is None,
            size=self.tree.size,
            checkpoints_verified=self.checkpoints_verified,
            decisions_verified=len(self.decisions),
            first_bad_index=bad.index if bad else None,
            reason=bad.reason if bad else None,
            check=bad.check if bad else None,
            checkpoint=TrustedCheckpoint(size=latest[0], root=latest[1]) if latest and bad is None else None,
            consistent_with_trusted=consistent,
            witnessed_size=self.witnessed if bad is None else None,
            keys=self.chain.history if self.chain is not None else [],
        )


def verify_ledger(
    bundle: LedgerBundle,
    trusted_public_key: str | bytes | None = None,
    *,
    trusted_checkpoint: TrustedCheckpoint | None = None,
    consistency_proof: Sequence[bytes] | None = None,
    witnesses: Sequence[str] | None = None,
    witness_quorum: int | None = None,
) -> VerifyReport:
    """Recomputes every leaf and root offline, checks every checkpoint and decision signature.

    Signatures are checked with the key in force: the export's first key, handed on by each
    ``ledger.key_rotated`` entry, which must be signed by the key it retires (``report.keys`` lists
    them). Pass ``trusted_public_key`` (a ``did:key``, hex or raw bytes) obtained out of band: it must
    be one of those keys, and unless it is the first, it must have signed a checkpoint. Without it
    the export's own key is used, which proves integrity but not who signed.

    With ``trusted_checkpoint`` the log must extend that checkpoint: a log shorter than its size fails
    (the reason names the size), and the largest signed checkpoint must be consistent with it, by
    ``consistency_proof`` when given (e.g. from ``GET /ledger/proof/consistency``) or else by a proof
    computed from the exported entries.

    With ``witnesses`` (C2SP ``cosignature/v1`` verifier keys, ``<name>+<key id>+<key>``) at least one
    checkpoint must carry valid cosignatures of ``witness_quorum`` distinct ones of them (default: all),
    so a log forked after the witnesses saw it fails; ``report.witnessed_size`` is the newest such
    checkpoint's size. Cosignatures of other keys are ignored.

    Example:
        >>> report = verify_ledger(bundle, 'did:key:z6Mk…', trusted_checkpoint=pinned)  # doctest: +SKIP
        >>> if not report.ok: print(report.first_bad_index, report.reason)  # doctest: +SKIP
        >>> verify_ledger(bundle, witnesses=[w1, w2, w3], witness_quorum=2).witnessed_size  # doctest: +SKIP
        1234
    """
    run = _Verification(bundle, trusted_checkpoint, consistency_proof)
    try:
        try:
            trusted_key = public_key_bytes(trusted_public_key) if trusted_public_key is not None else None
        except SignatureError as e:
            raise _Bad(None, f'public key rejected: {e}') from e
        try:
            policy = None
            if witnesses is not None or witness_quorum is not None:
                policy = WitnessPolicy.from_vkeys(witnesses or [], witness_quorum)
        except SignatureError as e:
            raise _Bad(None, f'witness policy rejected: {e}') from e
        consistent = run.run(trusted_key, policy)
    except _Bad as bad:
        return run.report(bad)
    return run.report(consistent=consistent)


_HEX_HASH = re.compile(r'0x[0-9a-fA-F]{64}')


def decode_proof(hashes: Sequence[str]) -> list[bytes]:
    """Proof hashes as the server sends them (``0x``-hex) or base64, to bytes."""
    out: list[bytes] = []
    for h in hashes:
        # By shape, not by the prefix alone: a base64 hash can start with "0x" too.
        if _HEX_HASH.fullmatch(h):
            out.append(hex_to_bytes(h))
        else:
            try:
                b = base64.b64decode(h, validate=True)
            except binascii.Error as e:
                raise MerkleError(f'proof hash {h!r} is neither 0x-hex nor base64') from e
            if len(b) != 32:
                raise MerkleError(f'proof hash {h!r} is neither 0x-hex nor base64 of 32 bytes')
            out.append(b)
    return out

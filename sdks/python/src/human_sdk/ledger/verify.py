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
from .merkle import MemoryMerkleTree, MerkleError, MerkleFrontier, leaf_hash, verify_consistency
from .passkey import KeyRegistry, PasskeyFailure, check_passkey_decision
from .signing import SignatureError, hex_to_bytes, open_checkpoint, public_key_bytes, verify_decision_signature
from .taskheads import TaskHeads, task_heads_from_extensions

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


# The entries whose data the verifier reads: decisions, and the approver key registry's.
_READ_KINDS = frozenset({'approval.decided', 'passkey.enrolled', 'passkey.revoked'})


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
    #: The passkey check that failed at ``first_bad_index`` (``passkey_signature``, …; see
    #: ``docs/ledger.md``), None for other failures.
    check: str | None = None
    #: The largest signed checkpoint that verified: pin it for the next run.
    checkpoint: TrustedCheckpoint | None = None
    #: True when a trusted checkpoint was given and the log was proved to extend it.
    consistent_with_trusted: bool | None = None


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
        origin=str(header.get('origin')),
        public_key=str(header.get('publicKey')),
        entries=entries,
        checkpoints=checkpoints,
        decisions=decisions,
    )


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


def verify_ledger(
    bundle: LedgerBundle,
    trusted_public_key: str | bytes | None = None,
    *,
    trusted_checkpoint: TrustedCheckpoint | None = None,
    consistency_proof: Sequence[bytes] | None = None,
) -> VerifyReport:
    """Recomputes every leaf and root offline, checks every checkpoint and decision signature.

    Pass ``trusted_public_key`` (a ``did:key``, hex or raw bytes) obtained out of band; without it the
    export's own key is used, which proves integrity but not who signed.

    With ``trusted_checkpoint`` the log must extend that checkpoint: a log shorter than its size fails
    (the reason names the size), and the largest signed checkpoint must be consistent with it, by
    ``consistency_proof`` when given (e.g. from ``GET /ledger/proof/consistency``) or else by a proof
    computed from the exported entries.

    Example:
        >>> report = verify_ledger(bundle, 'did:key:z6Mk…', trusted_checkpoint=pinned)  # doctest: +SKIP
        >>> if not report.ok: print(report.first_bad_index, report.reason)  # doctest: +SKIP
    """
    tree = MerkleFrontier()
    counts = {'checkpoints': 0, 'decisions': 0}

    def fail(index: int | None, reason: str, check: str | None = None) -> VerifyReport:
        return VerifyReport(
            ok=False,
            size=tree.size,
            checkpoints_verified=counts['checkpoints'],
            decisions_verified=counts['decisions'],
            first_bad_index=index,
            reason=reason,
            check=check,
        )

    def failed_check(index: int, f: PasskeyFailure) -> VerifyReport:
        return fail(index, f.reason, f.check)

    try:
        public_key = public_key_bytes(trusted_public_key if trusted_public_key is not None else bundle.public_key)
    except SignatureError as e:
        return fail(None, f'public key rejected: {e}')

    # Checkpoints first (signatures), sorted by size, so entries are streamed once and each root is
    # compared the moment the stream reaches its size.
    checkpoints: list[tuple[int, bytes, tuple[int, bytes] | None]] = []
    for note in bundle.checkpoints:
        try:
            if not isinstance(note, str):
                raise SignatureError('checkpoint note is not text')
            cp = open_checkpoint(note, bundle.origin, public_key)
            heads_line = task_heads_from_extensions(cp.extensions)
        except (SignatureError, ValueError) as e:
            return fail(None, f'checkpoint rejected: {e}')
        checkpoints.append((cp.size, cp.root, heads_line))
    checkpoints.sort(key=lambda c: c[0])
    latest = checkpoints[-1][:2] if checkpoints else None
    # Task-heads lines started at some size (older logs have checkpoints without): once one signs
    # them, every later one must.
    signing = [c[2] is not None for c in checkpoints]
    if True in signing and not all(signing[signing.index(True) :]):
        legacy = next(c for c in checkpoints[signing.index(True) :] if c[2] is None)
        return fail(None, f'the checkpoint of size {legacy[0]} signs no task-heads root, though an earlier one does')
    heads = TaskHeads()

    if trusted_checkpoint is not None:
        longest = max(len(bundle.entries), latest[0] if latest else 0)
        if longest < trusted_checkpoint.size:
            return fail(
                longest,
                f'the log has {longest} entries, fewer than the trusted checkpoint of size {trusted_checkpoint.size}',
            )

    nxt = 0
    last_good = 0
    leaves: list[bytes] | None = [] if trusted_checkpoint is not None and consistency_proof is None else None

    def check_roots_at(size: int) -> VerifyReport | None:
        nonlocal nxt, last_good
        while nxt < len(checkpoints) and checkpoints[nxt][0] == size:
            cp_size, cp_root, cp_heads = checkpoints[nxt]
            if tree.root() != cp_root:
                return fail(
                    last_good,
                    f'root of the first {cp_size} entries differs from the signed checkpoint '
                    f'(bad entry in [{last_good}, {cp_size}))',
                )
            if cp_heads is not None and heads.root() != cp_heads:
                return fail(
                    last_good,
                    f"the task heads of the first {cp_size} entries differ from the signed checkpoint's "
                    f'(bad entry in [{last_good}, {cp_size}))',
                )
            last_good = cp_size
            counts['checkpoints'] += 1
            nxt += 1
        return None

    early = check_roots_at(0)
    if early:
        return early

    decision_entries: dict[int, tuple[Any, str]] = {}
    # The approver key registry, folded in log order: a decision sees only the keys logged before it.
    keys = KeyRegistry()
    for i, item in enumerate(bundle.entries):
        if item.get('index') != i:
            return fail(i, f'entry at position {i} claims index {item.get("index")} (missing or reordered)')
        entry = item.get('entry')
        if not isinstance(entry, str):
            return fail(i, 'entry is not a canonical ledger entry')
        head = _entry_tail(entry)
        if head is None:
            return fail(i, 'entry is not a canonical ledger entry')
        seq, task_id, kind = head
        if seq != i:
            return fail(i, f'entry seq is {seq}, want {i} (missing or reordered)')
        leaf = leaf_hash(entry)
        recorded = item.get('leafHash')
        if recorded is not None and leaf.hex() != recorded:
            return fail(i, 'entry does not match the leaf hash recorded when it was appended')
        # The store's index column must name the signed entry's task (an edited one hides the entry).
        if 'taskId' in item and item['taskId'] != task_id:
            return fail(
                i,
                f"the stored taskId column ({json.dumps(item['taskId'])}) differs from the signed entry's "
                f'taskId ({json.dumps(task_id)})',
            )
        parsed: Any = None
        data: dict[str, Any] = {}
        if kind in _READ_KINDS:
            try:
                parsed = json.loads(entry)
            except (json.JSONDecodeError, RecursionError):
                return fail(i, 'entry is not JSON')
            found = parsed.get('data') if isinstance(parsed, dict) else None
            data = found if isinstance(found, dict) else {}
        if kind in ('passkey.enrolled', 'passkey.revoked'):
            bad_key = keys.fold(i, kind, data)
            if bad_key is not None:
                return failed_check(i, bad_key)
        if kind == 'approval.decided':
            record = data.get('record')
            signature = data.get('signature')
            if (
                not isinstance(record, dict)
                or not isinstance(signature, str)
                or not verify_decision_signature(record, signature, public_key)
            ):
                return fail(i, 'decision signature does not verify')
            if record.get('approvalId') != parsed.get('approvalId') or record.get('taskId') != parsed.get('taskId'):
                return fail(i, 'decision record names another approval or task than its entry')
            bad_passkey = check_passkey_decision(i, data, record, keys)
            if bad_passkey is not None:
                return failed_check(i, bad_passkey)
            counts['decisions'] += 1
            decision_entries[i] = (record, signature)
        tree.append(leaf)
        if task_id is not None:
            heads.add(task_id, leaf)
        if leaves is not None:
            leaves.append(leaf)
        bad = check_roots_at(tree.size)
        if bad:
            return bad
    if nxt < len(checkpoints):
        return fail(
            tree.size, f'a signed checkpoint covers {checkpoints[nxt][0]} entries but only {tree.size} are present'
        )

    # The store's decision rows must say exactly what the log says: a row edited after the fact is
    # named by the index of the entry it contradicts.
    for d in bundle.decisions:
        idx = d.get('ledgerIndex')
        problem = _stored_decision_problem(decision_entries.get(idx) if isinstance(idx, int) else None, d)
        if problem is not None:
            return fail(idx if isinstance(idx, int) else None, problem)

    consistent: bool | None = None
    if trusted_checkpoint is not None:
        if latest is None:
            return fail(None, 'the export has no signed checkpoint to prove consistency with the trusted one')
        size2, root2 = latest
        try:
            if consistency_proof is not None:
                proof = list(consistency_proof)
            elif trusted_checkpoint.size in (0, size2):
                proof = []
            else:
                proof = MemoryMerkleTree(leaves or []).consistency_proof(trusted_checkpoint.size, size2)
            if trusted_checkpoint.size == 0:
                pass  # every log extends the empty one
            else:
                verify_consistency(trusted_checkpoint.size, size2, proof, trusted_checkpoint.root, root2)
        except MerkleError as e:
            return fail(
                None,
                f'the log is not consistent with the trusted checkpoint of size {trusted_checkpoint.size}: {e}',
            )
        consistent = True

    return VerifyReport(
        ok=True,
        size=tree.size,
        checkpoints_verified=counts['checkpoints'],
        decisions_verified=counts['decisions'],
        checkpoint=TrustedCheckpoint(size=latest[0], root=latest[1]) if latest else None,
        consistent_with_trusted=consistent,
    )


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

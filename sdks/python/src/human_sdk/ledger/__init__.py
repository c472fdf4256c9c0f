"""Offline ledger verification: RFC 6962 proofs, signed-note checkpoints, Ed25519 decision signatures,
passkey-signed decisions against the approver key registry in the log, the log's signing-key rotations,
and a k-of-n policy of witnesses cosigning its checkpoints (C2SP tlog-cosignature).

Example:
    >>> from human_sdk.ledger import parse_ledger_export, verify_ledger
    >>> with open('ledger.jsonl') as f:  # doctest: +SKIP
    ...     report = verify_ledger(parse_ledger_export(f.read()), 'did:key:z6Mk…')
"""

from .keys import KEY_ROTATED, KeyChain, KeyInForce, rotation_statement
from .merkle import (
    HASH_SIZE,
    MemoryMerkleTree,
    MerkleError,
    MerkleFrontier,
    empty_root,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from .passkey import KeyRegistry, PasskeyFailure, check_passkey_decision, decision_challenge
from .signing import (
    Checkpoint,
    SignatureError,
    did_key_from_public_key,
    open_checkpoint,
    open_note,
    public_key_bytes,
    public_key_from_did_key,
    verify_bytes,
    verify_decision_signature,
)
from .verify import (
    LedgerBundle,
    LedgerExportError,
    TrustedCheckpoint,
    VerifyReport,
    decode_proof,
    parse_ledger_export,
    verify_ledger,
)
from .witness import WitnessKey, WitnessPolicy, cosignature_key_id, cosigned_message, parse_witness_vkey, witness_vkey

__all__ = [
    'HASH_SIZE',
    'KEY_ROTATED',
    'Checkpoint',
    'KeyChain',
    'KeyInForce',
    'KeyRegistry',
    'LedgerBundle',
    'LedgerExportError',
    'MemoryMerkleTree',
    'MerkleError',
    'MerkleFrontier',
    'PasskeyFailure',
    'SignatureError',
    'TrustedCheckpoint',
    'VerifyReport',
    'WitnessKey',
    'WitnessPolicy',
    'check_passkey_decision',
    'cosignature_key_id',
    'cosigned_message',
    'decision_challenge',
    'decode_proof',
    'did_key_from_public_key',
    'empty_root',
    'leaf_hash',
    'node_hash',
    'open_checkpoint',
    'open_note',
    'parse_ledger_export',
    'parse_witness_vkey',
    'public_key_bytes',
    'public_key_from_did_key',
    'root_from_inclusion_proof',
    'root_from_leaf_hashes',
    'rotation_statement',
    'verify_bytes',
    'verify_consistency',
    'verify_decision_signature',
    'verify_inclusion',
    'verify_ledger',
    'witness_vkey',
]

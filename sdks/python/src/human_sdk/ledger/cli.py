"""``humanos-verify-ledger``: verify a ledger export offline.

Example:
    humanos-verify-ledger ledger.jsonl --key did:key:z6Mk… --trusted-size 1234 --trusted-root 0x…
    humanos-verify-ledger ledger.jsonl --witness 'w1.example+1a2b3c4d+BF…' --witness 'w2…' --witness-quorum 2
Prints the report as JSON; exits 0 when the ledger verifies, 1 when it does not, 2 on bad usage. A failure
names ``first_bad_index`` and ``reason``, and ``check`` for a passkey-signed decision or enrolment that
fails (``passkey_signature``, ``passkey_key_revoked``, …; see docs/ledger.md). With a witness policy the
report names ``witnessed_size``, the newest checkpoint a quorum of the witnesses cosigned; ``keys`` is the
log's signing-key history.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from .verify import LedgerExportError, TrustedCheckpoint, parse_ledger_export, verify_ledger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='humanos-verify-ledger', description='Verify a HumanOS ledger export.')
    parser.add_argument('export', help='the JSON Lines file from GET /v1/humanos/ledger/export ("-" for stdin)')
    parser.add_argument(
        '--key',
        '--public-key',
        dest='key',
        help="the public key you trust (did:key), one of the log's keys; default: the export header's",
    )
    parser.add_argument('--trusted-size', type=int, help='size of a checkpoint you verified before')
    parser.add_argument('--trusted-root', help='its root hash (0x-hex)')
    parser.add_argument(
        '--witness',
        action='append',
        metavar='VKEY',
        help='a witness of the policy: its cosignature/v1 verifier key <name>+<key id>+<key> (repeat for each)',
    )
    parser.add_argument(
        '--witness-quorum',
        type=int,
        metavar='K',
        help='how many distinct policy witnesses must have cosigned a checkpoint (default: all of them)',
    )
    args = parser.parse_args(argv)
    if (args.trusted_size is None) != (args.trusted_root is None):
        parser.error('--trusted-size and --trusted-root go together')
    if args.witness_quorum is not None and not args.witness:
        parser.error('--witness-quorum needs --witness')
    if args.witness and args.witness_quorum is not None and not 1 <= args.witness_quorum <= len(args.witness):
        parser.error(f'--witness-quorum must be between 1 and {len(args.witness)}')
    text = sys.stdin.read() if args.export == '-' else Path(args.export).read_text(encoding='utf-8')
    try:
        bundle = parse_ledger_export(text)
    except LedgerExportError as e:
        print(json.dumps({'ok': False, 'reason': str(e)}))
        return 1
    pin = TrustedCheckpoint.from_hex(args.trusted_size, args.trusted_root) if args.trusted_size is not None else None
    report = verify_ledger(
        bundle, args.key, trusted_checkpoint=pin, witnesses=args.witness, witness_quorum=args.witness_quorum
    )
    out = dataclasses.asdict(report)
    if report.checkpoint is not None:
        out['checkpoint'] = {'size': report.checkpoint.size, 'rootHash': '0x' + report.checkpoint.root.hex()}
    print(json.dumps(out))
    return 0 if report.ok else 1


if __name__ == '__main__':
    sys.exit(main())

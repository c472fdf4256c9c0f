"""The Python verifier against the published RFC 6962 vectors (testdata/rfc6962) and JCS edge cases."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from human_sdk.canonical import canonical_json, format_number, payload_digest
from human_sdk.ledger import (
    MemoryMerkleTree,
    MerkleError,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from human_sdk.ledger.signing import did_key_from_public_key, public_key_from_did_key

VECTORS = Path(__file__).resolve().parents[3] / 'testdata' / 'rfc6962'


def _files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob('*.json'))


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


def _load(p: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(p.read_text())
    return data


def test_vectors_are_present() -> None:
    assert len(_files('inclusion')) > 50
    assert len(_files('consistency')) > 50


def test_reference_tree_roots_for_every_size() -> None:
    ref = _load(VECTORS / 'reference-tree.json')
    leaves = [leaf_hash(bytes.fromhex(h)) for h in ref['leafInputs']]
    assert [leaf.hex() for leaf in leaves] == ref['leafHashes']
    tree = MemoryMerkleTree()
    for size, root in enumerate(ref['rootsBySize']):
        assert root_from_leaf_hashes(leaves[:size]).hex() == root
        assert tree.root(size).hex() == root
        if size < len(leaves):
            tree.append(leaves[size])


@pytest.mark.parametrize('path', _files('inclusion'), ids=lambda p: str(p.relative_to(VECTORS)))
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)

    def run() -> None:
        verify_inclusion(
            v['leafIdx'], v['treeSize'], _b64(v['leafHash']), [_b64(p) for p in v.get('proof') or []], _b64(v['root'])
        )

    if v['wantErr']:
        with pytest.raises(MerkleError):
            run()
    else:
        run()


@pytest.mark.parametrize('path', _files('consistency'), ids=lambda p: str(p.relative_to(VECTORS)))
def test_consistency_vector(path: Path) -> None:
    v = _load(path)

    def run() -> None:
        verify_consistency(
            v['size1'], v['size2'], [_b64(p) for p in v.get('proof') or []], _b64(v['root1']), _b64(v['root2'])
        )

    if v['wantErr']:
        with pytest.raises(MerkleError):
            run()
    else:
        run()


def test_generated_proofs_equal_the_published_happy_paths() -> None:
    ref = _load(VECTORS / 'reference-tree.json')
    tree = MemoryMerkleTree([bytes.fromhex(h) for h in ref['leafHashes']])
    checked = 0
    for p in _files('inclusion'):
        v = _load(p)
        if p.name == 'happy-path.json' and v['treeSize'] <= 8:
            got = [base64.b64encode(h).decode() for h in tree.inclusion_proof(v['leafIdx'], v['treeSize'])]
            assert got == (v.get('proof') or [])
            checked += 1
    for p in _files('consistency'):
        v = _load(p)
        if p.name == 'happy-path.json' and v['size2'] <= 8 and v['size1'] > 0:
            got = [base64.b64encode(h).decode() for h in tree.consistency_proof(v['size1'], v['size2'])]
            assert got == (v.get('proof') or [])
            checked += 1
    assert checked > 5


@pytest.mark.parametrize(
    ('value', 'want'),
    [
        ({'b': 1, 'a': [True, None, False]}, '{"a":[true,null,false],"b":1}'),
        ({'\ue000': 1, '\U0001f600': 2, 'a': 3}, '{"a":3,"😀":2,"\ue000":1}'),  # UTF-16 order, not code points
        ('\u2028\x01"\\/é', '"\u2028\\u0001\\"\\\\/é"'),
        ([1.0, -0.0, 0.1, 1e21, 1e-7, 5e-324], '[1,0,0.1,1e+21,1e-7,5e-324]'),
        ([2**53 + 1, 1e20, 123456789.125], '[9007199254740992,100000000000000000000,123456789.125]'),
        # RFC 8785 appendix B samples.
        ([333333333.3333333, 1e30, 4.5, 0.002, 1e-27], '[333333333.3333333,1e+30,4.5,0.002,1e-27]'),
    ],
)
def test_canonical_json(value: object, want: str) -> None:
    assert canonical_json(value) == want


def test_canonical_json_refuses_what_json_cannot_say() -> None:
    with pytest.raises(ValueError, match='NaN'):
        format_number(float('nan'))
    with pytest.raises(TypeError):
        canonical_json({1: 'x'})
    with pytest.raises(TypeError):
        canonical_json({'x': object()})


def test_payload_digest_is_the_servers() -> None:
    # The server's payloadDigest({}) and of a small object (computed with @humanos/core).
    assert payload_digest({}) == 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
    assert (
        payload_digest({'b': [1, 2.5], 'a': 'x'})
        == 'sha256:' + __import__('hashlib').sha256(b'{"a":"x","b":[1,2.5]}').hexdigest()
    )


def test_did_key_round_trip() -> None:
    raw = bytes(range(32))
    did = did_key_from_public_key(raw)
    assert did.startswith('did:key:z6Mk')
    assert public_key_from_did_key(did) == raw

package ledger

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/bits"
)

// HashSize is the size of every hash in the log (SHA-256).
const HashSize = 32

// MerkleError reports a malformed or failing Merkle proof.
type MerkleError struct{ Reason string }

func (e *MerkleError) Error() string { return "merkle: " + e.Reason }

func merkleErr(format string, args ...any) error {
	return &MerkleError{Reason: fmt.Sprintf(format, args...)}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// EmptyRoot is the root of the empty tree: SHA-256 of nothing.
func EmptyRoot() []byte {
	s := sha256.Sum256(nil)
	return s[:]
}

// LeafHash is the RFC 6962 leaf hash SHA-256(0x00 ‖ entry).
func LeafHash(entry []byte) []byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(entry)
	return h.Sum(nil)
}

// NodeHash is the RFC 6962 interior node hash SHA-256(0x01 ‖ left ‖ right).
func NodeHash(left, right []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(left)
	h.Write(right)
	return h.Sum(nil)
}

// RootFromLeafHashes computes the root of a list of leaf hashes by the RFC's definition.
func RootFromLeafHashes(leaves [][]byte) []byte {
	if len(leaves) == 0 {
		return EmptyRoot()
	}
	level := append([][]byte(nil), leaves...)
	for len(level) > 1 {
		next := make([][]byte, 0, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, NodeHash(level[i], level[i+1]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return level[0]
}

func equalBytes(a, b []byte) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare(a, b) == 1
}

func requireHash(h []byte, what string) error {
	if len(h) != HashSize {
		return merkleErr("%s is %d bytes, want %d", what, len(h), HashSize)
	}
	return nil
}

func decompInclProof(index, size uint64) (inner, border int) {
	inner = bits.Len64(index ^ (size - 1))
	border = bits.OnesCount64(index >> uint(inner))
	return inner, border
}

func chainInner(seed []byte, proof [][]byte, index uint64) []byte {
	h := seed
	for i, p := range proof {
		if (index>>uint(i))&1 == 0 {
			h = NodeHash(h, p)
		} else {
			h = NodeHash(p, h)
		}
	}
	return h
}

func chainInnerRight(seed []byte, proof [][]byte, index uint64) []byte {
	h := seed
	for i, p := range proof {
		if (index>>uint(i))&1 == 1 {
			h = NodeHash(p, h)
		}
	}
	return h
}

func chainBorderRight(seed []byte, proof [][]byte) []byte {
	h := seed
	for _, p := range proof {
		h = NodeHash(p, h)
	}
	return h
}

// RootFromInclusionProof returns the root implied by an inclusion proof of the leaf at index in a
// tree of size leaves, or a *MerkleError when the proof is malformed.
func RootFromInclusionProof(index, size uint64, leaf []byte, proof [][]byte) ([]byte, error) {
	if index >= size {
		return nil, merkleErr("leaf index %d is outside a tree of size %d", index, size)
	}
	if err := requireHash(leaf, "leaf hash"); err != nil {
		return nil, err
	}
	for i, p := range proof {
		if err := requireHash(p, fmt.Sprintf("proof[%d]", i)); err != nil {
			return nil, err
		}
	}
	inner, border := decompInclProof(index, size)
	if len(proof) != inner+border {
		return nil, merkleErr("inclusion proof has %d hashes, want %d", len(proof), inner+border)
	}
	h := chainInner(leaf, proof[:inner], index)
	return chainBorderRight(h, proof[inner:]), nil
}

// VerifyInclusion checks that leaf is at index in the tree of size leaves whose root is root.
//
//	err := ledger.VerifyInclusion(0, 1, ledger.LeafHash([]byte("x")), nil, ledger.LeafHash([]byte("x"))) // nil
func VerifyInclusion(index, size uint64, leaf []byte, proof [][]byte, root []byte) error {
	if err := requireHash(root, "root"); err != nil {
		return err
	}
	got, err := RootFromInclusionProof(index, size, leaf, proof)
	if err != nil {
		return err
	}
	if !equalBytes(got, root) {
		return merkleErr("inclusion proof does not lead to the root")
	}
	return nil
}

// VerifyConsistency checks that the tree of size2 leaves with root2 extends the tree of size1 leaves
// with root1. A proof from the empty tree proves nothing and is refused.
func VerifyConsistency(size1, size2 uint64, proof [][]byte, root1, root2 []byte) error {
	if size2 < size1 {
		return merkleErr("size2 (%d) < size1 (%d)", size2, size1)
	}
	if size1 == 0 {
		return merkleErr("a consistency proof from an empty tree is meaningless")
	}
	if size1 == size2 {
		if len(proof) > 0 {
			return merkleErr("equal sizes need an empty proof")
		}
		if !equalBytes(root1, root2) {
			return merkleErr("equal sizes but the roots differ")
		}
		return nil
	}
	if err := requireHash(root1, "root1"); err != nil {
		return err
	}
	if err := requireHash(root2, "root2"); err != nil {
		return err
	}
	for i, p := range proof {
		if err := requireHash(p, fmt.Sprintf("proof[%d]", i)); err != nil {
			return err
		}
	}
	if len(proof) == 0 {
		return merkleErr("empty consistency proof")
	}
	inner, border := decompInclProof(size1-1, size2)
	shift := bits.TrailingZeros64(size1)
	inner -= shift
	seed, start := proof[0], 1
	if size1 == uint64(1)<<uint(shift) {
		seed, start = root1, 0
	}
	if len(proof) != start+inner+border {
		return merkleErr("consistency proof has %d hashes, want %d", len(proof), start+inner+border)
	}
	rest := proof[start:]
	mask := (size1 - 1) >> uint(shift)
	h1 := chainBorderRight(chainInnerRight(seed, rest[:inner], mask), rest[inner:])
	if !equalBytes(h1, root1) {
		return merkleErr("consistency proof does not lead to root1")
	}
	h2 := chainBorderRight(chainInner(seed, rest[:inner], mask), rest[inner:])
	if !equalBytes(h2, root2) {
		return merkleErr("consistency proof does not lead to root2")
	}
	return nil
}

// Frontier is the right edge of a growing tree: one perfect-subtree root per set bit of the size.
// Appending is amortised O(1) hashes and memory stays O(log n), so a log of any length streams.
type Frontier struct {
	stack []frontierNode
	size  uint64
}

type frontierNode struct {
	hash []byte
	size uint64
}

// Size is the number of leaves appended so far.
func (f *Frontier) Size() uint64 { return f.size }

// Append adds a leaf hash.
func (f *Frontier) Append(leaf []byte) {
	hash, size := leaf, uint64(1)
	for len(f.stack) > 0 && f.stack[len(f.stack)-1].size == size {
		top := f.stack[len(f.stack)-1]
		hash = NodeHash(top.hash, hash)
		size *= 2
		f.stack = f.stack[:len(f.stack)-1]
	}
	f.stack = append(f.stack, frontierNode{hash: hash, size: size})
	f.size++
}

// Root is the root of the tree of the leaves appended so far.
func (f *Frontier) Root() []byte {
	if len(f.stack) == 0 {
		return EmptyRoot()
	}
	r := f.stack[len(f.stack)-1].hash
	for i := len(f.stack) - 2; i >= 0; i-- {
		r = NodeHash(f.stack[i].hash, r)
	}
	return r
}

// MemoryTree holds every leaf hash in memory and produces RFC 6962 inclusion and consistency proofs
// (for tests, and for verifiers that hold a whole export).
type MemoryTree struct{ leaves [][]byte }

// Append adds a leaf hash.
func (t *MemoryTree) Append(leaf []byte) { t.leaves = append(t.leaves, leaf) }

// Size is the number of leaves.
func (t *MemoryTree) Size() uint64 { return uint64(len(t.leaves)) }

// Root is the root of the first size leaves.
func (t *MemoryTree) Root(size uint64) ([]byte, error) {
	if size > t.Size() {
		return nil, merkleErr("tree has %d leaves, not %d", t.Size(), size)
	}
	return t.rangeHash(0, size), nil
}

func splitPoint(n uint64) uint64 {
	k := uint64(1)
	for k*2 < n {
		k *= 2
	}
	return k
}

func (t *MemoryTree) rangeHash(start, end uint64) []byte {
	n := end - start
	switch {
	case n == 0:
		return EmptyRoot()
	case n == 1:
		return t.leaves[start]
	}
	k := splitPoint(n)
	return NodeHash(t.rangeHash(start, start+k), t.rangeHash(start+k, end))
}

// InclusionProof is RFC 6962 PATH(index, D[0:size]).
func (t *MemoryTree) InclusionProof(index, size uint64) ([][]byte, error) {
	if size > t.Size() || index >= size {
		return nil, merkleErr("leaf index %d is outside a tree of size %d", index, size)
	}
	var out [][]byte
	var path func(m, start, end uint64)
	path = func(m, start, end uint64) {
		n := end - start
		if n <= 1 {
			return
		}
		k := splitPoint(n)
		if m < k {
			path(m, start, start+k)
			out = append(out, t.rangeHash(start+k, end))
		} else {
			path(m-k, start+k, end)
			out = append(out, t.rangeHash(start, start+k))
		}
	}
	path(index, 0, size)
	return out, nil
}

// ConsistencyProof is RFC 6962 PROOF(size1, D[0:size2]); it needs 0 < size1 ≤ size2.
func (t *MemoryTree) ConsistencyProof(size1, size2 uint64) ([][]byte, error) {
	if size1 == 0 || size1 > size2 || size2 > t.Size() {
		return nil, merkleErr("no consistency proof from size %d to %d", size1, size2)
	}
	var out [][]byte
	var sub func(m, start, end uint64, complete bool)
	sub = func(m, start, end uint64, complete bool) {
		n := end - start
		if m == n {
			if !complete {
				out = append(out, t.rangeHash(start, end))
			}
			return
		}
		k := splitPoint(n)
		if m <= k {
			sub(m, start, start+k, complete)
			out = append(out, t.rangeHash(start+k, end))
		} else {
			sub(m-k, start+k, end, false)
			out = append(out, t.rangeHash(start, start+k))
		}
	}
	sub(size1, 0, size2, true)
	return out, nil
}

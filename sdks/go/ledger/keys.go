package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
)

// KeyRotated is the ledger entry type of a signing-key rotation.
const KeyRotated = "ledger.key_rotated"

// KeyRotationV1 is the type member of the statement a rotation's signature covers.
const KeyRotationV1 = "humanos.key_rotation/v1"

// KeyInForce is one key of a log's signing-key history: its did:key and the log size from which
// it signs (0 for the first key; r+1 for the key a rotation at index r hands the log to).
type KeyInForce struct {
	PublicKey string `json:"publicKey"`
	FromSize  int64  `json:"fromSize"`
}

// RotationStatement is the canonical JSON the previous key signs to hand the log over to next
// (both did:keys): {type: "humanos.key_rotation/v1", origin, previous, next}.
func RotationStatement(origin, previous, next string) []byte {
	canon, _ := CanonicalizeValue(map[string]string{"type": KeyRotationV1, "origin": origin, "previous": previous, "next": next})
	return canon
}

// KeyChain is the keys in force in log order, from the first key through the log's rotations. A
// rotation at index r: checkpoints of sizes up to r+1 (its seal included) and decisions before r
// are signed by the previous key, larger checkpoints and later decisions by the next one.
type KeyChain struct {
	keys  []ed25519.PublicKey
	froms []int64
}

// NewKeyChain starts a chain at the log's first key.
func NewKeyChain(first ed25519.PublicKey) *KeyChain {
	return &KeyChain{keys: []ed25519.PublicKey{first}, froms: []int64{0}}
}

// History lists the chain's keys as did:keys with the size from which each signs.
func (c *KeyChain) History() []KeyInForce {
	out := make([]KeyInForce, len(c.keys))
	for i, k := range c.keys {
		out[i] = KeyInForce{DIDKeyFromPublicKey(k), c.froms[i]}
	}
	return out
}

// Position is where pub is in the chain (0: the first key), or -1.
func (c *KeyChain) Position(pub ed25519.PublicKey) int {
	for i, k := range c.keys {
		if bytes.Equal(k, pub) {
			return i
		}
	}
	return -1
}

// IndexForSize is the position of the key that signs checkpoints of size.
func (c *KeyChain) IndexForSize(size uint64) int {
	at := 0
	for i, from := range c.froms {
		if i > 0 && uint64(from) < size {
			at = i
		}
	}
	return at
}

// ForSize is the key that signs checkpoints of size.
func (c *KeyChain) ForSize(size uint64) ed25519.PublicKey {
	return c.keys[c.IndexForSize(size)]
}

// ForEntry is the key that signs a decision logged at index.
func (c *KeyChain) ForEntry(index int64) ed25519.PublicKey {
	at := 0
	for i, from := range c.froms {
		if from <= index {
			at = i
		}
	}
	return c.keys[at]
}

type rotationData struct {
	Previous  *string `json:"previous"`
	Next      *string `json:"next"`
	Signature *string `json:"signature"`
}

// Fold takes the rotation logged at index (its entry's data member); it returns why the rotation
// is refused, or "".
func (c *KeyChain) Fold(index int64, data json.RawMessage, origin string) string {
	var d rotationData
	if json.Unmarshal(data, &d) != nil || d.Previous == nil || d.Next == nil || d.Signature == nil {
		return "a key rotation names no previous key, next key or signature"
	}
	inForce := c.ForEntry(index)
	inForceDID := DIDKeyFromPublicKey(inForce)
	if *d.Previous != inForceDID {
		return fmt.Sprintf("the key rotation names %s as previous key, but %s is in force", *d.Previous, inForceDID)
	}
	next, err := PublicKeyFromDIDKey(*d.Next)
	if err != nil {
		return "the key rotation is unreadable: " + err.Error()
	}
	sig, err := DecodeHex(*d.Signature)
	if err != nil {
		return "the key rotation is unreadable: not hex"
	}
	if bytes.Equal(next, inForce) {
		return "the key rotation hands the log to the key already in force"
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(inForce, RotationStatement(origin, *d.Previous, *d.Next), sig) {
		return "the key rotation is not signed by the key in force"
	}
	c.keys = append(c.keys, next)
	c.froms = append(c.froms, index+1)
	return ""
}

// keyChainOf builds the keys in force: the first one, then each ledger.key_rotated entry of the log,
// accepted only when the key in force signed it. The header's history (when it has one) must list
// exactly these keys from these sizes, its publicKey being the last.
func keyChainOf(b *Bundle, first ed25519.PublicKey) (*KeyChain, *badAt) {
	chain := NewKeyChain(first)
	if b.Keys != nil && b.Keys[len(b.Keys)-1].PublicKey != b.PublicKey {
		return nil, &badAt{-1, "the export header's publicKey is not the last key of its key list", ""}
	}
	if b.Keys != nil && b.Keys[0].FromSize != 0 {
		return nil, &badAt{-1, "the export header's key list does not start at size 0", ""}
	}
	declared := map[int64]KeyInForce{}
	for _, k := range b.Keys[min(1, len(b.Keys)):] {
		declared[k.FromSize-1] = k
	}
	for i, item := range b.Entries {
		idx := int64(i)
		_, _, typ, ok := readEntryTail(item.Entry)
		if !ok || typ != KeyRotated {
			if k, listed := declared[idx]; listed {
				return nil, &badAt{idx, fmt.Sprintf("the export declares key %s from size %d, but entry %d is no key rotation", k.PublicKey, idx+1, idx), ""}
			}
			continue // an unreadable entry is named by the pass over the entries
		}
		if !json.Valid([]byte(item.Entry)) {
			return nil, &badAt{idx, "entry is not JSON", ""}
		}
		if why := chain.Fold(idx, entryData(item.Entry), b.Origin); why != "" {
			return nil, &badAt{idx, why, ""}
		}
		n, now := len(chain.keys), chain.History()[len(chain.keys)-1]
		if b.Keys != nil && (len(b.Keys) < n || b.Keys[n-1] != now) {
			return nil, &badAt{idx, fmt.Sprintf("the key rotation to %s is not in the export header's key list at size %d", now.PublicKey, idx+1), ""}
		}
	}
	if b.Keys != nil && len(b.Keys) > len(chain.keys) {
		return nil, &badAt{-1, "the export header lists signing keys the log never rotated to", ""}
	}
	return chain, nil
}

// checkTrustedKey: the key the user trusts must be one of the log's keys; when it is not the first,
// it (or a key it handed the log to) must have signed a checkpoint, which covers the rotations before
// it: a history of keys nobody trusts, ending in a rotation to the trusted key that it never sealed,
// proves nothing.
func checkTrustedKey(chain *KeyChain, trusted ed25519.PublicKey, cps []checkpointAt, origin string) *badAt {
	at := chain.Position(trusted)
	if at < 0 {
		return &badAt{-1, "the trusted public key is not one of the log's signing keys", ""}
	}
	if at == 0 {
		return nil
	}
	for _, c := range cps {
		if chain.IndexForSize(c.size) >= at || sealedBy(chain, at, c, origin) {
			return nil
		}
	}
	return &badAt{-1, "no checkpoint is signed by the trusted public key or a key it handed the log to", ""}
}

// KeyChainOf reads a bundle's signing-key history: the header's first key, handed on by each
// ledger.key_rotated entry that the key in force signed. Verify does this itself; a caller that
// opens checkpoints of the log on its own (a pinned one, a consistency proof's) picks the key for
// a size with ForSize.
//
//	chain, err := ledger.KeyChainOf(bundle)
//	cp, err := ledger.OpenCheckpoint(note, bundle.Origin, chain.ForSize(size))
func KeyChainOf(b *Bundle) (*KeyChain, error) {
	v := &verification{}
	if bad := v.start(b, nil); bad != nil && v.chain == nil {
		return nil, &VerificationError{Index: bad.index, Reason: bad.reason}
	}
	return v.chain, nil
}

// sealedBy reports whether the key at position at (or a later one) signed the checkpoint sealing its
// rotation, which carries the next key's signature beside the previous key's: a log with no write
// since its rotation is still anchored by the new key.
func sealedBy(chain *KeyChain, at int, c checkpointAt, origin string) bool {
	if int64(c.size) < chain.froms[at] {
		return false
	}
	for _, k := range chain.keys[at:] {
		if _, err := OpenCheckpoint(c.note, origin, k); err == nil {
			return true
		}
	}
	return false
}

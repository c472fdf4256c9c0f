package ledger

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// CosignatureV1 is the signed-note signature type of Ed25519 checkpoint cosignatures (C2SP
// signed-note and tlog-cosignature): witness verifier keys carry it as their first key byte.
const CosignatureV1 = 0x04

const maxCosignatureTime = 1<<63 - 1

// Key names are non-empty and hold no Unicode space and no plus (C2SP signed-note).
var (
	vkeyName  = regexp.MustCompile(`^[^\s+]+$`)
	vkeyKeyID = regexp.MustCompile(`^[0-9a-f]{8}$`)
)

// CosignatureKeyID is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4], the key id of a cosignature/v1 key.
func CosignatureKeyID(name string, pub ed25519.PublicKey) []byte {
	return noteKeyID(name, CosignatureV1, pub)
}

// CosignedMessage is what a cosignature/v1 signs: "cosignature/v1\ntime <t>\n" and then the whole
// checkpoint text (extension lines included).
func CosignedMessage(text string, timestamp uint64) []byte {
	return []byte("cosignature/v1\ntime " + strconv.FormatUint(timestamp, 10) + "\n" + text)
}

// WitnessVerifierKey names a witness: "<name>+<hex key id>+<base64(0x04 ‖ key)>".
func WitnessVerifierKey(name string, pub ed25519.PublicKey) string {
	material := append([]byte{CosignatureV1}, pub...)
	return name + "+" + hex.EncodeToString(CosignatureKeyID(name, pub)) + "+" + base64.StdEncoding.EncodeToString(material)
}

// WitnessKey is one witness of a policy: its name, key id and Ed25519 public key.
type WitnessKey struct {
	Name      string
	KeyID     []byte
	PublicKey ed25519.PublicKey
}

// ParseWitnessKey reads a witness's verifier key; it refuses other signature types than 0x04 and a
// key id that does not match the name and key.
func ParseWitnessKey(vkey string) (WitnessKey, error) {
	parts := strings.SplitN(vkey, "+", 3) // the base64 key may hold '+' too
	if len(parts) != 3 || !vkeyName.MatchString(parts[0]) || !vkeyKeyID.MatchString(parts[1]) {
		return WitnessKey{}, fmt.Errorf("%q is not a verifier key <name>+<hex key id>+<base64 key>", vkey)
	}
	name := parts[0]
	keyID, _ := hex.DecodeString(parts[1])
	material, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return WitnessKey{}, fmt.Errorf("the key of %s is not base64", name)
	}
	if len(material) != 1+ed25519.PublicKeySize || material[0] != CosignatureV1 {
		return WitnessKey{}, fmt.Errorf("the key of %s is not a cosignature/v1 (type 0x04) Ed25519 key", name)
	}
	pub := ed25519.PublicKey(material[1:])
	if !equalBytes(CosignatureKeyID(name, pub), keyID) {
		return WitnessKey{}, fmt.Errorf("the key id of %s does not match its key", name)
	}
	return WitnessKey{name, keyID, pub}, nil
}

// signed says whether a signature line claims to be this witness's: its name and key id. Only such
// a line must verify; any other is another key's (C2SP signed-note).
func (w WitnessKey) signed(s noteSig) bool {
	return s.name == w.Name && len(s.blob) >= 4 && equalBytes(s.blob[:4], w.KeyID)
}

// verifies says whether blob (of a line signed claims as this witness's) is its valid cosignature
// of the checkpoint text.
func (w WitnessKey) verifies(text string, blob []byte) bool {
	if len(blob) != 4+8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(blob[4:12])
	return t <= maxCosignatureTime && ed25519.Verify(w.PublicKey, CosignedMessage(text, t), blob[12:])
}

// WitnessPolicy requires Quorum of Witnesses to have cosigned a checkpoint of the log.
type WitnessPolicy struct {
	Witnesses []WitnessKey
	Quorum    int
}

// NewWitnessPolicy is the policy of these verifier keys; quorum 0 means all of them.
//
//	policy, err := ledger.NewWitnessPolicy([]string{w1, w2, w3}, 2)
func NewWitnessPolicy(vkeys []string, quorum int) (*WitnessPolicy, error) {
	if len(vkeys) == 0 {
		return nil, errors.New("a witness policy needs at least one witness key")
	}
	p := &WitnessPolicy{Quorum: quorum}
	seen := map[string]bool{}
	for _, v := range vkeys {
		w, err := ParseWitnessKey(v)
		if err != nil {
			return nil, err
		}
		id := w.Name + "+" + hex.EncodeToString(w.KeyID)
		if seen[id] {
			return nil, errors.New("the witness policy names a witness twice")
		}
		seen[id] = true
		p.Witnesses = append(p.Witnesses, w)
	}
	if p.Quorum == 0 {
		p.Quorum = len(p.Witnesses)
	}
	if p.Quorum < 1 || p.Quorum > len(p.Witnesses) {
		return nil, fmt.Errorf("the witness quorum must be between 1 and %d, not %d", len(p.Witnesses), quorum)
	}
	return p, nil
}

// Cosigners are the policy witnesses with a valid cosignature on note, each once. Lines of keys
// outside the policy are ignored. A line with a policy witness's name and key id that does not
// verify makes the note malformed (C2SP signed-note: the client SHOULD reject it): an error.
func (p *WitnessPolicy) Cosigners(note string) ([]WitnessKey, error) {
	text, sigs, err := splitNote(note)
	if err != nil {
		return nil, err
	}
	var out []WitnessKey
	for _, w := range p.Witnesses {
		signed := false
		for _, s := range sigs {
			if !w.signed(s) {
				continue
			}
			if !w.verifies(text, s.blob) {
				return nil, fmt.Errorf("a cosignature by %s does not verify", w.Name)
			}
			signed = true
		}
		if signed {
			out = append(out, w)
		}
	}
	return out, nil
}

// countCosigners counts each checkpoint's policy cosigners before the entries are read; a policy
// witness's line that does not verify fails.
func (v *verification) countCosigners(p *WitnessPolicy) *badAt {
	v.cosigned = make([]int, len(v.cps))
	for i, c := range v.cps {
		ws, err := p.Cosigners(c.note)
		if err != nil {
			return &badAt{-1, fmt.Sprintf("the checkpoint of size %d is rejected: %v", c.size, err), ""}
		}
		v.cosigned[i] = len(ws)
	}
	return nil
}

// checkWitnesses finds the newest checkpoint (every one matched the entries) a quorum of the policy
// cosigned, or fails.
func (v *verification) checkWitnesses(p *WitnessPolicy) *badAt {
	v.rep.WitnessedSize = -1
	for i, c := range v.cps {
		if v.cosigned[i] >= p.Quorum && int64(c.size) > v.rep.WitnessedSize {
			v.rep.WitnessedSize = int64(c.size)
		}
	}
	if v.rep.WitnessedSize < 0 {
		return &badAt{-1, fmt.Sprintf("no checkpoint carries valid cosignatures of %d of the %d policy witnesses", p.Quorum, len(p.Witnesses)), ""}
	}
	return nil
}

package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

const algEd25519 = 0x01

// Checkpoint is the body of a signed checkpoint note (C2SP tlog-checkpoint): the log's origin, its
// size and the root hash of its first Size entries.
type Checkpoint struct {
	Origin string
	Size   uint64
	// Root is the 32-byte root hash.
	Root []byte
	// Extensions are the note's lines after the root (C2SP tlog-checkpoint extension lines), e.g.
	// "humanos-task-heads <T> <base64 root>".
	Extensions []string
}

// Text is the note text of the checkpoint: origin, size and base64 root, one per line.
func (c Checkpoint) Text() string {
	text := fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
	for _, line := range c.Extensions {
		text += line + "\n"
	}
	return text
}

// noteKeyID is the key id of a signed-note key: SHA-256(name ‖ 0x0A ‖ signature type ‖ key)[:4].
func noteKeyID(name string, sigType byte, pub ed25519.PublicKey) []byte {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{sigType})
	h.Write(pub)
	return h.Sum(nil)[:4]
}

func noteKeyHash(name string, pub ed25519.PublicKey) []byte {
	return noteKeyID(name, algEd25519, pub)
}

// NoteVerifierKey is the verifier key string of the note ecosystem (golang.org/x/mod/sumdb/note):
// "<name>+<hex key hash>+<base64(0x01 ‖ key)>".
func NoteVerifierKey(name string, pub ed25519.PublicKey) string {
	key := append([]byte{algEd25519}, pub...)
	return name + "+" + hex.EncodeToString(noteKeyHash(name, pub)) + "+" + base64.StdEncoding.EncodeToString(key)
}

// SignNote signs text (which must end in a newline) as a note by key name, in the sumdb/note format.
func SignNote(text, name string, key ed25519.PrivateKey) (string, error) {
	if !strings.HasSuffix(text, "\n") {
		return "", errors.New("note text must end with a newline")
	}
	pub := key.Public().(ed25519.PublicKey)
	sig := ed25519.Sign(key, []byte(text))
	blob := append(noteKeyHash(name, pub), sig...)
	return text + "\n\u2014 " + name + " " + base64.StdEncoding.EncodeToString(blob) + "\n", nil
}

var sigLine = regexp.MustCompile(`^\x{2014} (\S+) ([A-Za-z0-9+/=]+)$`)

// noteSig is one signature line of a signed note: the key name and the decoded signature blob.
type noteSig struct {
	name string
	blob []byte
}

// splitNote splits a signed note into its text (with the final newline) and its signature lines;
// lines that are no signature line are skipped (a verifier ignores what it cannot read).
func splitNote(note string) (string, []noteSig, error) {
	split := strings.LastIndex(note, "\n\n")
	if split < 0 {
		return "", nil, errors.New("note has no signature block")
	}
	var sigs []noteSig
	for _, line := range strings.Split(note[split+2:], "\n") {
		m := sigLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if blob, err := base64.StdEncoding.DecodeString(m[2]); err == nil {
			sigs = append(sigs, noteSig{m[1], blob})
		}
	}
	return note[:split+1], sigs, nil
}

// OpenNote returns the note's text when one of its signature lines is name's valid Ed25519 signature,
// and an error otherwise.
func OpenNote(note, name string, pub ed25519.PublicKey) (string, error) {
	if len(pub) != ed25519.PublicKeySize {
		return "", errors.New("note: Ed25519 public key must be 32 bytes")
	}
	text, sigs, err := splitNote(note)
	if err != nil {
		return "", err
	}
	want := noteKeyHash(name, pub)
	for _, s := range sigs {
		if s.name != name || len(s.blob) != 4+ed25519.SignatureSize || !equalBytes(s.blob[:4], want) {
			continue
		}
		if ed25519.Verify(pub, []byte(text), s.blob[4:]) {
			return text, nil
		}
	}
	return "", fmt.Errorf("note carries no valid signature by %s", name)
}

var decimal = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// OpenCheckpoint verifies a signed checkpoint note by origin's key and returns its body.
func OpenCheckpoint(note, origin string, pub ed25519.PublicKey) (Checkpoint, error) {
	text, err := OpenNote(note, origin, pub)
	if err != nil {
		return Checkpoint{}, err
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("checkpoint has too few lines")
	}
	if lines[0] != origin {
		return Checkpoint{}, fmt.Errorf("checkpoint origin is %s, want %s", lines[0], origin)
	}
	if !decimal.MatchString(lines[1]) {
		return Checkpoint{}, errors.New("bad checkpoint size")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || size > 1<<53-1 {
		return Checkpoint{}, errors.New("bad checkpoint size")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return Checkpoint{}, errors.New("bad checkpoint root")
	}
	// The text ends with a newline, so the last element is empty; everything between is extensions.
	return Checkpoint{Origin: origin, Size: size, Root: root, Extensions: lines[3 : len(lines)-1]}, nil
}

// ParseCheckpoint reads a checkpoint note's body WITHOUT checking its signature (for a checkpoint
// you already trust, e.g. one stored after an earlier verification).
func ParseCheckpoint(note string) (Checkpoint, error) {
	lines := strings.Split(note, "\n")
	if len(lines) < 3 || !decimal.MatchString(lines[1]) {
		return Checkpoint{}, errors.New("not a checkpoint note")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Checkpoint{}, errors.New("bad checkpoint size")
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return Checkpoint{}, errors.New("bad checkpoint root")
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root}, nil
}

const b58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

func base58Encode(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	base, mod := big.NewInt(58), new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, b58Alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func base58Decode(s string) ([]byte, error) {
	n := new(big.Int)
	base := big.NewInt(58)
	for _, c := range s {
		v := strings.IndexRune(b58Alphabet, c)
		if v < 0 {
			return nil, errors.New("not base58btc")
		}
		n.Mul(n, base).Add(n, big.NewInt(int64(v)))
	}
	zeros := len(s) - len(strings.TrimLeft(s, "1"))
	return append(make([]byte, zeros), n.Bytes()...), nil
}

// DIDKeyFromPublicKey names an Ed25519 public key as a did:key (multicodec 0xed01, base58btc).
func DIDKeyFromPublicKey(pub ed25519.PublicKey) string {
	return "did:key:z" + base58Encode(append([]byte{0xed, 0x01}, pub...))
}

// PublicKeyFromDIDKey reads the Ed25519 public key out of a did:key.
func PublicKeyFromDIDKey(did string) (ed25519.PublicKey, error) {
	if !strings.HasPrefix(did, "did:key:z") {
		return nil, errors.New("not a did:key")
	}
	b, err := base58Decode(did[len("did:key:z"):])
	if err != nil {
		return nil, err
	}
	if len(b) != 34 || b[0] != 0xed || b[1] != 0x01 {
		return nil, errors.New("not an Ed25519 did:key")
	}
	return ed25519.PublicKey(b[2:]), nil
}

// ParsePublicKey accepts a did:key or the hex of a raw 32-byte Ed25519 key (optionally 0x-prefixed).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	if strings.HasPrefix(s, "did:key:") {
		return PublicKeyFromDIDKey(s)
	}
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("public key is neither a did:key nor 32 bytes of hex")
	}
	return ed25519.PublicKey(b), nil
}

// DecodeHex decodes hex with an optional 0x prefix.
func DecodeHex(s string) ([]byte, error) {
	return hex.DecodeString(strings.TrimPrefix(s, "0x"))
}

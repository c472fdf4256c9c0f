package ledger

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The names of the passkey checks (docs/ledger.md), as Report.Check and VerificationError.Check
// carry them. A decision carrying data.passkey is checked in this order: key (unknown or revoked),
// client data, rp id, flags, signature.
const (
	// CheckPasskeyKeyUnknown: no key of the decision's approver with that credential id was enrolled
	// before the decision.
	CheckPasskeyKeyUnknown = "passkey_key_unknown"
	// CheckPasskeyKeyRevoked: the key was enrolled but revoked before the decision.
	CheckPasskeyKeyRevoked = "passkey_key_revoked"
	// CheckPasskeyClientData: clientDataJSON is not a webauthn.get for this decision's challenge from
	// an enrolled origin (or the assertion is malformed: a member that is not base64url, …).
	CheckPasskeyClientData = "passkey_client_data"
	// CheckPasskeyRPID: authenticatorData is not for the relying party the key was enrolled for.
	CheckPasskeyRPID = "passkey_rp_id"
	// CheckPasskeyFlags: the user was not present (UP) or not verified (UV).
	CheckPasskeyFlags = "passkey_flags"
	// CheckPasskeySignature: the assertion signature does not verify with the enrolled key.
	CheckPasskeySignature = "passkey_signature"
	// CheckPasskeyMissing: the entry says policy required a passkey (passkeyRequired) but carries none.
	CheckPasskeyMissing = "passkey_missing"
	// CheckPasskeyEnrolment: a passkey.enrolled entry is malformed or enrols a credential id again.
	CheckPasskeyEnrolment = "passkey_enrolment"
)

// COSE algorithm identifiers accepted at enrolment.
const (
	AlgES256 = -7 // ECDSA on P-256 with SHA-256, ASN.1 DER signatures
	AlgEdDSA = -8 // Ed25519, raw 64-byte signatures
)

const (
	flagUP = 0x01
	flagUV = 0x04
)

// CheckFailure is a failed passkey or delegation check: its stable name and a sentence for humans.
type CheckFailure struct {
	Check  string
	Detail string
}

// PasskeyFailure is a failed passkey check.
type PasskeyFailure = CheckFailure

// Reason is "<check>: <detail>", as a Report's Reason says it.
func (f *CheckFailure) Reason() string { return f.Check + ": " + f.Detail }

func passkeyFail(check, format string, args ...any) *PasskeyFailure {
	return &PasskeyFailure{Check: check, Detail: fmt.Sprintf(format, args...)}
}

var b64url = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// DecodeBase64URL decodes base64url without padding, strictly: only the alphabet (Go's decoder
// would skip newlines), and only the canonical spelling (no non-zero trailing bits), so one byte
// string has one spelling.
func DecodeBase64URL(s string) ([]byte, error) {
	if !b64url.MatchString(s) {
		return nil, errors.New("not base64url without padding")
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// EnrolledKey is a key of the approver registry: whose it is, where it may be used, from which index.
type EnrolledKey struct {
	Index        int64
	Principal    string
	CredentialID string
	Algorithm    int
	// PublicKey is *ecdsa.PublicKey (ES256) or ed25519.PublicKey (EdDSA).
	PublicKey any
	RPID      string
	Origins   []string
}

// KeyRegistry is the approver key registry folded from the log in order: Fold every entry, then
// KeyAt answers for the next index. Its memory is one record per enrolled credential.
type KeyRegistry struct {
	keys map[string]*EnrolledKey
	// revoked is the first revocation of each (principal, credentialId): the rule names the pair.
	revoked map[[2]string]int64
}

// NewKeyRegistry returns an empty registry.
func NewKeyRegistry() *KeyRegistry {
	return &KeyRegistry{keys: map[string]*EnrolledKey{}, revoked: map[[2]string]int64{}}
}

// jsonString reads a JSON string (not null, not a number: Go's Unmarshal leaves a string as it
// was on null, which would read a missing member as "").
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// jsonObject reads a JSON object's members by their exact names (encoding/json's struct matching
// ignores case, which no other verifier does).
func jsonObject(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	return m, true
}

// Fold applies a passkey.enrolled or passkey.revoked entry's data at index; other types are ignored.
// An enrolment that is malformed or enrols a credential id a second time fails passkey_enrolment.
func (r *KeyRegistry) Fold(index int64, entryType string, data json.RawMessage) *PasskeyFailure {
	switch entryType {
	case "passkey.enrolled":
		return r.enrol(index, data)
	case "passkey.revoked":
		d, _ := jsonObject(data)
		principal, ok1 := jsonString(d["principal"])
		cred, ok2 := jsonString(d["credentialId"])
		pair := [2]string{principal, cred}
		if _, seen := r.revoked[pair]; ok1 && ok2 && !seen {
			r.revoked[pair] = index
		}
	}
	return nil
}

func (r *KeyRegistry) enrol(index int64, data json.RawMessage) *PasskeyFailure {
	d, ok := jsonObject(data)
	if !ok {
		return passkeyFail(CheckPasskeyEnrolment, "the enrolment has no data object")
	}
	principal, okP := jsonString(d["principal"])
	cred, okC := jsonString(d["credentialId"])
	if credBytes, err := DecodeBase64URL(cred); !okP || !okC || err != nil || len(credBytes) == 0 {
		return passkeyFail(CheckPasskeyEnrolment, "the enrolment names no principal or no base64url credential id")
	}
	rpID, okR := jsonString(d["rpId"])
	var rawOrigins []json.RawMessage
	if !okR || len(d["origins"]) == 0 || d["origins"][0] != '[' || json.Unmarshal(d["origins"], &rawOrigins) != nil {
		return passkeyFail(CheckPasskeyEnrolment, "the enrolment names no rpId or origins")
	}
	origins := make([]string, 0, len(rawOrigins))
	for _, o := range rawOrigins {
		s, ok := jsonString(o)
		if !ok {
			return passkeyFail(CheckPasskeyEnrolment, "the enrolment names no rpId or origins")
		}
		origins = append(origins, s)
	}
	var alg float64
	if raw := d["algorithm"]; len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) || json.Unmarshal(raw, &alg) != nil {
		alg = 0 // not a number: no algorithm
	}
	spkiText, _ := jsonString(d["publicKey"])
	pub := loadPasskeyKey(alg, spkiText)
	if pub == nil {
		return passkeyFail(CheckPasskeyEnrolment, "credential %s: the public key is not an SPKI DER key of algorithm %s (only -7 ES256 on P-256 and -8 EdDSA on Ed25519)", cred, string(d["algorithm"]))
	}
	if earlier, dup := r.keys[cred]; dup {
		return passkeyFail(CheckPasskeyEnrolment, "credential %s was already enrolled at index %d", cred, earlier.Index)
	}
	r.keys[cred] = &EnrolledKey{Index: index, Principal: principal, CredentialID: cred, Algorithm: int(alg), PublicKey: pub, RPID: rpID, Origins: origins}
	return nil
}

// loadPasskeyKey parses the SPKI DER of an enrolment: a P-256 key for ES256, an Ed25519 key for
// EdDSA, in the one spelling the server writes (re-encoding must give the same bytes, so a
// compressed P-256 point is refused as by every other verifier). nil when it is anything else.
func loadPasskeyKey(alg float64, spkiText string) any {
	spki, err := DecodeBase64URL(spkiText)
	if err != nil {
		return nil
	}
	key, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil
	}
	if again, err := x509.MarshalPKIXPublicKey(key); err != nil || !bytes.Equal(again, spki) {
		return nil
	}
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if alg == AlgES256 && k.Curve == elliptic.P256() {
			return k
		}
	case ed25519.PublicKey:
		if alg == AlgEdDSA {
			return k
		}
	}
	return nil
}

// KeyAt returns the key valid for principal's decision at index (enrolled before it, not revoked
// before it), or the failed check.
func (r *KeyRegistry) KeyAt(index int64, principal, credentialID string) (*EnrolledKey, *PasskeyFailure) {
	k := r.keys[credentialID]
	if k == nil || k.Index >= index || k.Principal != principal {
		return nil, passkeyFail(CheckPasskeyKeyUnknown, "%s has no passkey %s enrolled before this decision", principal, credentialID)
	}
	if at, revoked := r.revoked[[2]string{k.Principal, k.CredentialID}]; revoked && at < index {
		return nil, passkeyFail(CheckPasskeyKeyRevoked, "passkey %s of %s was revoked at index %d, before this decision", credentialID, principal, at)
	}
	return k, nil
}

// DecisionChallenge is the WebAuthn challenge of a passkey-signed decision: nonce (32 bytes) ‖
// SHA-256 of the canonical {approvalId, verdict, payloadDigest, editsDigest, approver}, every member
// taken from the decision record (editsDigest is PayloadDigest(edits), or null without edits).
//
//	challenge, err := ledger.DecisionChallenge(nonce, entryData["record"])
func DecisionChallenge(nonce []byte, record json.RawMessage) ([]byte, error) {
	rec, ok := jsonObject(record)
	if !ok {
		return nil, errors.New("the decision record is not an object")
	}
	member := func(name string) json.RawMessage {
		if v, ok := rec[name]; ok {
			return v
		}
		return json.RawMessage("null")
	}
	var editsDigest any
	if edits := member("edits"); string(edits) != "null" {
		d, err := PayloadDigest(edits)
		if err != nil {
			return nil, err
		}
		editsDigest = d
	}
	statement, err := CanonicalizeValue(map[string]any{
		"approvalId":    member("approvalId"),
		"verdict":       member("verdict"),
		"payloadDigest": member("payloadDigest"),
		"editsDigest":   editsDigest,
		"approver":      member("decidedBy"),
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(statement)
	return append(append([]byte{}, nonce...), sum[:]...), nil
}

// CheckPasskeyDecision runs the passkey checks of the approval.decided entry at index (its data
// object): nil when it carries no passkey and needed none, or carries one that verifies against the
// registry's key valid at index; otherwise the first failed check, in the documented order.
//
//	if f := reg.CheckPasskeyDecision(i, entryData); f != nil { log.Printf("%d: %s", i, f.Reason()) }
func (r *KeyRegistry) CheckPasskeyDecision(index int64, data json.RawMessage) *PasskeyFailure {
	d, _ := jsonObject(data)
	rawPasskey, has := d["passkey"]
	if !has || string(rawPasskey) == "null" {
		if string(d["passkeyRequired"]) == "true" {
			return passkeyFail(CheckPasskeyMissing, "the policy required a passkey for this decision and it carries none")
		}
		return nil
	}
	p, ok := jsonObject(rawPasskey)
	cred, okC := jsonString(p["credentialId"])
	if !ok || !okC {
		return passkeyFail(CheckPasskeyClientData, "the passkey assertion is malformed")
	}
	rec, _ := jsonObject(d["record"])
	approver, _ := jsonString(rec["decidedBy"])
	key, failure := r.KeyAt(index, approver, cred)
	if failure != nil {
		return failure
	}
	// Every binary member decodes, or the assertion is not one WebAuthn returned.
	names := []string{"nonce", "authenticatorData", "clientDataJSON", "signature"}
	decoded := make([][]byte, len(names))
	var bad []string
	for i, name := range names {
		s, ok := jsonString(p[name])
		b, err := DecodeBase64URL(s)
		if !ok || err != nil {
			bad = append(bad, name)
		}
		decoded[i] = b
	}
	if len(bad) > 0 {
		return passkeyFail(CheckPasskeyClientData, "the assertion member %s is not base64url without padding", strings.Join(bad, ", "))
	}
	nonce, auth, clientData, signature := decoded[0], decoded[1], decoded[2], decoded[3]
	if len(nonce) != 32 {
		return passkeyFail(CheckPasskeyClientData, "the nonce is not 32 bytes")
	}
	challenge, err := DecisionChallenge(nonce, d["record"])
	if err != nil {
		return passkeyFail(CheckPasskeyClientData, "the challenge cannot be recomputed: %v", err)
	}
	if problem := clientDataProblem(clientData, challenge, key.Origins); problem != "" {
		return passkeyFail(CheckPasskeyClientData, "%s", problem)
	}
	rpHash := sha256.Sum256([]byte(key.RPID))
	if len(auth) < 37 || subtle.ConstantTimeCompare(auth[:32], rpHash[:]) != 1 {
		return passkeyFail(CheckPasskeyRPID, "authenticatorData is not for the relying party %s", key.RPID)
	}
	if auth[32]&flagUP == 0 {
		return passkeyFail(CheckPasskeyFlags, "the user was not present (UP flag unset)")
	}
	if auth[32]&flagUV == 0 {
		return passkeyFail(CheckPasskeyFlags, "the user was not verified (UV flag unset)")
	}
	cdHash := sha256.Sum256(clientData)
	if !verifyPasskeySignature(key, append(append([]byte{}, auth...), cdHash[:]...), signature) {
		return passkeyFail(CheckPasskeySignature, "the signature does not verify with passkey %s (enrolled at index %d)", key.CredentialID, key.Index)
	}
	return nil
}

// clientDataProblem checks clientDataJSON: UTF-8 JSON object, type webauthn.get, the recomputed
// challenge (base64url, compared as text), an enrolled origin. "" when it is fine.
func clientDataProblem(raw, challenge []byte, origins []string) string {
	// Numbers as text: a member like 1e400 is JSON (other verifiers read it), not a reason to fail.
	// WebAuthn reads it with WHATWG "UTF-8 decode", which drops one leading BOM (so does core).
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if !utf8.Valid(raw) || dec.Decode(&v) != nil {
		return "clientDataJSON is not UTF-8 JSON"
	}
	if _, err := dec.Token(); err != io.EOF {
		return "clientDataJSON is not UTF-8 JSON"
	}
	c, ok := v.(map[string]any)
	if !ok {
		return "clientDataJSON is not a JSON object"
	}
	if c["type"] != "webauthn.get" {
		t, _ := json.Marshal(c["type"])
		return fmt.Sprintf("clientDataJSON type is %s, not webauthn.get", t)
	}
	if c["challenge"] != base64.RawURLEncoding.EncodeToString(challenge) {
		return "the signed challenge is not the one recomputed from this decision (nonce, approval, verdict, payload digest, edits, approver)"
	}
	if origin, isString := c["origin"].(string); isString {
		for _, o := range origins {
			if o == origin {
				return ""
			}
		}
	}
	o, _ := json.Marshal(c["origin"])
	return fmt.Sprintf("origin %s is not one the key was enrolled for", o)
}

func verifyPasskeySignature(key *EnrolledKey, message, signature []byte) bool {
	switch k := key.PublicKey.(type) {
	case *ecdsa.PublicKey:
		digest := sha256.Sum256(message)
		return ecdsa.VerifyASN1(k, digest[:], signature)
	case ed25519.PublicKey:
		return len(signature) == ed25519.SignatureSize && ed25519.Verify(k, message, signature)
	}
	return false
}

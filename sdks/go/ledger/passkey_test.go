package ledger

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixture shared with the Python tests, made by sdks/python/tests/passkey_authenticator.py with a
// software authenticator: named exports and the outcome each must have.
type passkeyFixture struct {
	PublicKey string       `json:"publicKey"`
	Cases     []vectorCase `json:"cases"`
}

func loadPasskeyFixture(t *testing.T) passkeyFixture {
	t.Helper()
	var f passkeyFixture
	readTestdata(t, "passkey-unit.json", &f)
	if len(f.Cases) < 30 {
		t.Fatalf("only %d fixture cases", len(f.Cases))
	}
	return f
}

func verifyExport(t *testing.T, export, key string) (Report, error) {
	t.Helper()
	b, err := ParseExport(strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	return Verify(b, VerifyOptions{TrustedPublicKey: key})
}

func TestPasskeyFixtureCases(t *testing.T) {
	f := loadPasskeyFixture(t)
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			rep, err := verifyExport(t, c.Export, f.PublicKey)
			if c.Expect.OK {
				if err != nil || !rep.OK || rep.Check != "" {
					t.Fatalf("want ok, got %+v (%v)", rep, err)
				}
				return
			}
			var bad *VerificationError
			if !errors.As(err, &bad) {
				t.Fatalf("want a VerificationError, got %v (%+v)", err, rep)
			}
			if rep.OK || rep.FirstBadIndex != c.Expect.Index || rep.Check != c.Expect.Check || bad.Index != c.Expect.Index || bad.Check != c.Expect.Check {
				t.Fatalf("want index %d check %s, got %+v", c.Expect.Index, c.Expect.Check, rep)
			}
			if !strings.HasPrefix(rep.Reason, c.Expect.Check+": ") {
				t.Fatalf("reason %q does not start with the check", rep.Reason)
			}
		})
	}
}

// entryDataOf is the data object of the export's entry at index, decoded.
func entryDataOf(t *testing.T, export string, index int) map[string]json.RawMessage {
	t.Helper()
	b, err := ParseExport(strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := jsonObject(entryData(b.Entries[index].Entry))
	if !ok {
		t.Fatalf("entry %d has no data", index)
	}
	return d
}

func flipB64(t *testing.T, s string, rng *rand.Rand) string {
	t.Helper()
	raw, err := DecodeBase64URL(s)
	if err != nil {
		t.Fatal(err)
	}
	raw[rng.Intn(len(raw))] ^= byte(1 + rng.Intn(255))
	return base64.RawURLEncoding.EncodeToString(raw)
}

// Property (seeded, so a failure reproduces): XOR-ing any byte of authenticatorData, clientDataJSON
// or the signature of a valid passkey decision with any non-zero value fails a passkey check.
func TestPasskeyFlippedEvidenceFails(t *testing.T) {
	f := loadPasskeyFixture(t)
	for _, name := range []string{"valid-es256-revoked-after", "valid-ed25519-revoked-after"} {
		var export string
		for _, c := range f.Cases {
			if c.Name == name {
				export = c.Export
			}
		}
		reg := NewKeyRegistry()
		enrolment, _ := json.Marshal(entryDataOf(t, export, 0))
		if fail := reg.Fold(0, "passkey.enrolled", enrolment); fail != nil {
			t.Fatal(fail.Reason())
		}
		data := entryDataOf(t, export, 1)
		var passkey map[string]string
		if err := json.Unmarshal(data["passkey"], &passkey); err != nil {
			t.Fatal(err)
		}
		good, _ := json.Marshal(data)
		if fail := reg.CheckPasskeyDecision(1, good); fail != nil {
			t.Fatalf("%s: the valid decision fails: %s", name, fail.Reason())
		}
		for _, member := range []string{"authenticatorData", "clientDataJSON", "signature"} {
			rng := rand.New(rand.NewSource(int64(len(name) * len(member))))
			for n := 0; n < 300; n++ {
				bad := map[string]string{}
				for k, v := range passkey {
					bad[k] = v
				}
				bad[member] = flipB64(t, passkey[member], rng)
				data["passkey"], _ = json.Marshal(bad)
				raw, _ := json.Marshal(data)
				fail := reg.CheckPasskeyDecision(1, raw)
				if fail == nil || !strings.HasPrefix(fail.Check, "passkey_") {
					t.Fatalf("%s: %s flipped to %s verifies", name, member, bad[member])
				}
			}
		}
	}
}

// An insider rewrites the stored assertion: the recorded leaf hash names the entry; without it, the
// passkey check does, before the checkpoint over the log is reached.
func TestPasskeyTamperedStoredAssertionNamesTheEntry(t *testing.T) {
	f := loadPasskeyFixture(t)
	var export string
	for _, c := range f.Cases {
		if c.Name == "valid-es256-revoked-after" {
			export = c.Export
		}
	}
	b, err := ParseExport(strings.NewReader(export))
	if err != nil {
		t.Fatal(err)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(b.Entries[1].Entry), &entry); err != nil {
		t.Fatal(err)
	}
	pk := entry["data"].(map[string]any)["passkey"].(map[string]any)
	pk["clientDataJSON"] = base64.RawURLEncoding.EncodeToString([]byte(`{"type":"webauthn.get","challenge":"AAAA","origin":"https://humanos.example.com"}`))
	text, err := CanonicalizeValue(entry)
	if err != nil {
		t.Fatal(err)
	}
	b.Entries[1].Entry = string(text)
	rep, err := Verify(b, VerifyOptions{TrustedPublicKey: f.PublicKey})
	if err == nil || rep.FirstBadIndex != 1 || rep.Reason != "entry does not match the leaf hash recorded when it was appended" {
		t.Fatalf("got %+v", rep)
	}
	b.Entries[1].LeafHash = ""
	rep, err = Verify(b, VerifyOptions{TrustedPublicKey: f.PublicKey})
	var bad *VerificationError
	if !errors.As(err, &bad) || bad.Index != 1 || bad.Check != CheckPasskeyClientData || rep.Check != CheckPasskeyClientData {
		t.Fatalf("got %+v (%v)", rep, err)
	}
}

// Malformed evidence and enrolments give a named check, never a panic.
func TestPasskeyMalformedMembersFailCleanly(t *testing.T) {
	f := loadPasskeyFixture(t)
	export := f.Cases[0].Export
	enrolment := entryDataOf(t, export, 0)
	data := entryDataOf(t, export, 1)
	var passkey map[string]json.RawMessage
	if err := json.Unmarshal(data["passkey"], &passkey); err != nil {
		t.Fatal(err)
	}
	junk := []string{`null`, `""`, `"="`, `"A"`, `"AB="`, `"A B"`, `"a+b/"`, `"Zg=="`, `"Zh"`, `"été"`, `"Zm8\n"`, `123`, `[]`, `{}`, `true`}
	for _, j := range junk {
		reg := NewKeyRegistry()
		e, _ := json.Marshal(enrolment)
		if fail := reg.Fold(0, "passkey.enrolled", e); fail != nil {
			t.Fatal(fail.Reason())
		}
		for _, member := range []string{"credentialId", "nonce", "authenticatorData", "clientDataJSON", "signature"} {
			bad := map[string]json.RawMessage{}
			for k, v := range passkey {
				bad[k] = v
			}
			bad[member] = json.RawMessage(j)
			d := map[string]json.RawMessage{}
			for k, v := range data {
				d[k] = v
			}
			d["passkey"], _ = json.Marshal(bad)
			raw, _ := json.Marshal(d)
			if fail := reg.CheckPasskeyDecision(1, raw); fail == nil {
				t.Fatalf("passkey.%s = %s verifies", member, j)
			}
		}
		members := []string{"publicKey", "credentialId", "algorithm"}
		if j[0] != '"' {
			members = append(members, "principal", "rpId")
		}
		if j != `[]` {
			members = append(members, "origins")
		}
		for _, member := range members {
			bad := map[string]json.RawMessage{}
			for k, v := range enrolment {
				bad[k] = v
			}
			bad[member] = json.RawMessage(j)
			raw, _ := json.Marshal(bad)
			if fail := NewKeyRegistry().Fold(0, "passkey.enrolled", raw); fail == nil || fail.Check != CheckPasskeyEnrolment {
				t.Fatalf("enrolment %s = %s accepted", member, j)
			}
		}
		if fail := NewKeyRegistry().Fold(0, "passkey.enrolled", json.RawMessage(j)); fail == nil {
			t.Fatalf("enrolment %s accepted", j)
		}
		if fail := NewKeyRegistry().Fold(0, "passkey.revoked", json.RawMessage(j)); fail != nil {
			t.Fatalf("a revocation of nothing fails: %s", fail.Reason())
		}
	}
}

func TestDecodeBase64URLIsStrict(t *testing.T) {
	if b, err := DecodeBase64URL("Zm8"); err != nil || string(b) != "fo" {
		t.Fatalf("Zm8: %q %v", b, err)
	}
	for _, s := range []string{"Zm8=", "Zm9", "Zm+8", "Zm/8", "Z", "Zm8\n", " Zm8", "Zm_8!", "Zm\r8"} {
		if _, err := DecodeBase64URL(s); err == nil {
			t.Fatalf("%q decodes", s)
		}
	}
}

type serverVector struct {
	export   string
	expected struct {
		OK    bool   `json:"ok"`
		Index int64  `json:"index"`
		Check string `json:"check"`
	}
}

// loadServerVector reads one testdata/passkey file back into its JSON Lines export.
func loadServerVector(t *testing.T, path string) serverVector {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Lines    []json.RawMessage `json:"lines"`
		Expected json.RawMessage   `json:"expected"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out serverVector
	if err := json.Unmarshal(v.Expected, &out.expected); err != nil {
		t.Fatal(err)
	}
	var export strings.Builder
	for _, l := range v.Lines {
		var line bytes.Buffer // the file is indented: one line per record again
		if err := json.Compact(&line, l); err != nil {
			t.Fatal(err)
		}
		export.Write(line.Bytes())
		export.WriteByte('\n')
	}
	out.export = export.String()
	return out
}

var serverVectors = filepath.Join("..", "..", "..", "testdata", "passkey")

// The vectors made by the server with its software authenticator (testdata/passkey, see its
// README): an honest log and forged variants, each naming the entry and the check that must fail.
func TestPasskeyServerVectors(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(serverVectors, "*.json"))
	if err != nil || len(paths) < 9 {
		t.Fatalf("vectors missing: %v %v", paths, err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			v := loadServerVector(t, p)
			rep, err := verifyExport(t, v.export, "")
			if v.expected.OK {
				if err != nil || !rep.OK || rep.DecisionsVerified == 0 {
					t.Fatalf("want ok, got %+v (%v)", rep, err)
				}
				return
			}
			var bad *VerificationError
			if !errors.As(err, &bad) || bad.Index != v.expected.Index || bad.Check != v.expected.Check || rep.Check != v.expected.Check {
				t.Fatalf("want index %d check %s, got %+v (%v)", v.expected.Index, v.expected.Check, rep, err)
			}
		})
	}
}

// The byte-flip property on the server's own passkey decisions (ES256 and EdDSA keys).
func TestPasskeyServerDecisionsFlippedFail(t *testing.T) {
	v := loadServerVector(t, filepath.Join(serverVectors, "ledger.json"))
	b, err := ParseExport(strings.NewReader(v.export))
	if err != nil {
		t.Fatal(err)
	}
	reg := NewKeyRegistry()
	var decisions []int64
	for _, e := range b.Entries {
		_, _, typ, _ := readEntryTail(e.Entry)
		if f := reg.Fold(e.Index, typ, entryData(e.Entry)); f != nil {
			t.Fatal(f.Reason())
		}
		if d, _ := jsonObject(entryData(e.Entry)); d["passkey"] != nil {
			decisions = append(decisions, e.Index)
		}
	}
	if len(decisions) != 3 {
		t.Fatalf("want 3 passkey decisions, got %v", decisions)
	}
	rng := rand.New(rand.NewSource(7))
	for _, i := range decisions {
		data := entryDataOf(t, v.export, int(i))
		good, _ := json.Marshal(data)
		if f := reg.CheckPasskeyDecision(i, good); f != nil {
			t.Fatalf("decision %d: %s", i, f.Reason())
		}
		var passkey map[string]any
		if err := json.Unmarshal(data["passkey"], &passkey); err != nil {
			t.Fatal(err)
		}
		for _, member := range []string{"authenticatorData", "clientDataJSON", "signature"} {
			for n := 0; n < 100; n++ {
				bad := map[string]any{}
				for k, x := range passkey {
					bad[k] = x
				}
				bad[member] = flipB64(t, passkey[member].(string), rng)
				data["passkey"], _ = json.Marshal(bad)
				raw, _ := json.Marshal(data)
				if f := reg.CheckPasskeyDecision(i, raw); f == nil {
					t.Fatalf("decision %d: %s flipped to %s verifies", i, member, bad[member])
				}
			}
		}
	}
}

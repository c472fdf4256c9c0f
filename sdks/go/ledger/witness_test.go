package ledger

import (
	"crypto/ed25519"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The shared cases of sdks/testdata/witness-vectors.json (made by sdks/python/tests/witness_vectors.py;
// the Python and TypeScript verifiers run the same file): witness policies on cosigned, forged and
// forked logs, and logs whose signing key was rotated, validly or not.
type witnessVectors struct {
	Cases []struct {
		Name             string   `json:"name"`
		Why              string   `json:"why"`
		Export           string   `json:"export"`
		Witnesses        []string `json:"witnesses"`
		WitnessQuorum    int      `json:"witnessQuorum"`
		TrustedPublicKey string   `json:"trustedPublicKey"`
		Expect           struct {
			OK            bool         `json:"ok"`
			Index         *int64       `json:"index"`
			WitnessedSize *int64       `json:"witnessedSize"`
			Keys          []KeyInForce `json:"keys"`
		} `json:"expect"`
	} `json:"cases"`
}

func TestWitnessVectors(t *testing.T) {
	var v witnessVectors
	readTestdata(t, "witness-vectors.json", &v)
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			b, err := ParseExport(strings.NewReader(c.Export))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Verify(b, VerifyOptions{TrustedPublicKey: c.TrustedPublicKey, Witnesses: c.Witnesses, WitnessQuorum: c.WitnessQuorum})
			if !c.Expect.OK {
				want := int64(-1)
				if c.Expect.Index != nil {
					want = *c.Expect.Index
				}
				if err == nil || rep.OK || rep.FirstBadIndex != want {
					t.Fatalf("%s: want a failure at %d, got %+v (%v)", c.Why, want, rep, err)
				}
				return
			}
			if err != nil || !rep.OK {
				t.Fatalf("%s: want ok, got %+v (%v)", c.Why, rep, err)
			}
			witnessed := int64(-1)
			if c.Expect.WitnessedSize != nil {
				witnessed = *c.Expect.WitnessedSize
			}
			if rep.WitnessedSize != witnessed {
				t.Fatalf("witnessed size %d, want %d", rep.WitnessedSize, witnessed)
			}
			if c.Expect.Keys != nil && !reflect.DeepEqual(rep.Keys, c.Expect.Keys) {
				t.Fatalf("keys %+v, want %+v", rep.Keys, c.Expect.Keys)
			}
		})
	}
	valid := 0
	for _, c := range v.Cases {
		valid += map[bool]int{true: 1}[c.Expect.OK]
	}
	if valid < 10 || len(v.Cases)-valid < 15 {
		t.Fatalf("%d cases, %d valid: the file lost cases", len(v.Cases), valid)
	}
}

func witnessCase(t *testing.T, name string) (*Bundle, []string) {
	t.Helper()
	var v witnessVectors
	readTestdata(t, "witness-vectors.json", &v)
	for _, c := range v.Cases {
		if c.Name == name {
			b, err := ParseExport(strings.NewReader(c.Export))
			if err != nil {
				t.Fatal(err)
			}
			return b, c.Witnesses
		}
	}
	t.Fatalf("no case %s", name)
	return nil, nil
}

func TestWitnessAndRotationReasons(t *testing.T) {
	b, witnesses := witnessCase(t, "forked-unwitnessed")
	_, err := Verify(b, VerifyOptions{Witnesses: witnesses, WitnessQuorum: 1})
	var bad *VerificationError
	if !errors.As(err, &bad) || bad.Reason != "no checkpoint carries valid cosignatures of 1 of the 2 policy witnesses" {
		t.Fatalf("got %v", err)
	}
	b, _ = witnessCase(t, "rotation-forged")
	if _, err := Verify(b, VerifyOptions{}); !errors.As(err, &bad) || bad.Index != 4 || bad.Reason != "the key rotation is not signed by the key in force" {
		t.Fatalf("got %v", err)
	}
	b, _ = witnessCase(t, "rotation-valid")
	if _, err := Verify(b, VerifyOptions{TrustedPublicKey: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}); !errors.As(err, &bad) || bad.Reason != "the trusted public key is not one of the log's signing keys" {
		t.Fatalf("got %v", err)
	}
}

func TestWitnessPolicyRefusesWhatIsNoCosignatureKey(t *testing.T) {
	pub := ed25519.PublicKey(make([]byte, 32))
	for i := range pub {
		pub[i] = byte(i)
	}
	vkey := WitnessVerifierKey("w.test/1", pub)
	if w, err := ParseWitnessKey(vkey); err != nil || !w.PublicKey.Equal(pub) {
		t.Fatalf("%v %v", w, err)
	}
	parts := strings.SplitN(vkey, "+", 3)
	for _, wrong := range []string{parts[0] + "+00000000+" + parts[2], "w.test/2+" + parts[1] + "+" + parts[2], parts[0] + "+" + parts[1], "a b+" + parts[1] + "+" + parts[2]} {
		if _, err := ParseWitnessKey(wrong); err == nil {
			t.Errorf("%q parsed", wrong)
		}
	}
	b, witnesses := witnessCase(t, "witness-2-of-2")
	for _, p := range []struct {
		w []string
		k int
	}{{witnesses, 3}, {witnesses, -1}, {[]string{}, 1}, {[]string{vkey, vkey}, 1}} {
		if _, err := Verify(b, VerifyOptions{Witnesses: p.w, WitnessQuorum: p.k}); err == nil || !strings.HasPrefix(err.Error(), "ledger: witness policy") {
			t.Errorf("%v/%d: %v", p.w, p.k, err)
		}
	}
	if rep, err := Verify(b, VerifyOptions{Witnesses: witnesses}); err != nil || rep.WitnessedSize != 4 {
		t.Fatalf("quorum 0 means all: %+v %v", rep, err)
	}
}

func TestHeaderKeyListMustBeKeys(t *testing.T) {
	for _, keys := range []string{`"did:key:z6Mk"`, `[]`, `[{"publicKey":"did:key:z6Mk"}]`, `[{"publicKey":1,"fromSize":0}]`} {
		header := `{"type":"header","format":"humanos-ledger/1","origin":"o","publicKey":"did:key:z6Mk","size":0,"keys":` + keys + "}\n"
		if _, err := ParseExport(strings.NewReader(header)); err == nil || !strings.Contains(err.Error(), "keys is not a list") {
			t.Errorf("%s: %v", keys, err)
		}
	}
}

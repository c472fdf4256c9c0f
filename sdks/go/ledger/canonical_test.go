package ledger

import (
	"math"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b": 1, "a": [true, null, 1.50]}`, `{"a":[true,null,1.5],"b":1}`},
		// RFC 8785 section 3.2.3: members sorted by UTF-16 code units.
		{`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"},
		// RFC 8785 section 3.2.2.3 numbers.
		{`[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001, -0, 1e21, 1e20, 1e-6, 1e-7]`,
			`[333333333.3333333,1e+30,4.5,0.002,1e-27,0,1e+21,100000000000000000000,0.000001,1e-7]`},
		{`"\u0001</script>\u2028é\"\\/"`, `"\u0001</script>` + "\u2028" + `é\"\\/"`},
		{`{"a":{"z":1,"y":{}},"b":[]}`, `{"a":{"y":{},"z":1},"b":[]}`},
	}
	for _, c := range cases {
		got, err := Canonicalize([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if string(got) != c.want {
			t.Errorf("Canonicalize(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	if _, err := Canonicalize([]byte(`{"a":1} x`)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestFormatNumberMatchesECMAScript(t *testing.T) {
	cases := map[float64]string{
		1: "1", -1.5: "-1.5", 0.1: "0.1", 123456789012345680000: "123456789012345680000",
		1e21: "1e+21", 5e-324: "5e-324", math.MaxFloat64: "1.7976931348623157e+308",
		9007199254740993: "9007199254740992", 0.000001: "0.000001", 1.25e-7: "1.25e-7", 0.92: "0.92",
	}
	for f, want := range cases {
		if got := FormatNumber(f); got != want {
			t.Errorf("FormatNumber(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestPayloadDigest(t *testing.T) {
	// Same digest whatever the member order or number spelling.
	a, _ := PayloadDigest(map[string]any{"amount": 250000, "to": "ACME"})
	b, err := CanonicalizeValue(map[string]any{"to": "ACME", "amount": 250000.0})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"amount":250000,"to":"ACME"}` {
		t.Fatalf("canonical form %s", b)
	}
	if a != "sha256:"+sha256Hex(b) {
		t.Fatalf("digest %s", a)
	}
}

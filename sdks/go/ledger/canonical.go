package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonicalize returns the RFC 8785 (JSON Canonicalization Scheme) form of a JSON text: the single
// byte form every HumanOS signature and digest is computed over. Object members are sorted by their
// UTF-16 code units, numbers are written as ECMAScript writes them, strings with the minimal escapes.
//
//	out, _ := ledger.Canonicalize([]byte(`{"b": 1, "a": [true, null, 1.50]}`))
//	// out == `{"a":[true,null,1.5],"b":1}`
func Canonicalize(jsonText []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(jsonText))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("canonical json: trailing data after the value")
	}
	return CanonicalizeValue(v)
}

// CanonicalizeValue returns the RFC 8785 form of a Go value. Values decoded from JSON (nil, bool,
// string, float64, json.Number, []any, map[string]any) are written directly; anything else (structs,
// typed maps and slices) goes through encoding/json first.
func CanonicalizeValue(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// PayloadDigest is the digest that binds an approval to exactly one payload, as the server computes
// it: "sha256:" followed by the hex SHA-256 of the payload's canonical JSON.
func PayloadDigest(payload any) (string, error) {
	c, err := CanonicalizeValue(payload)
	if err != nil {
		return "", err
	}
	return "sha256:" + sha256Hex(c), nil
}

const maxDepth = 1000

func writeCanonical(buf *bytes.Buffer, v any, depth int) error {
	if depth > maxDepth {
		return errors.New("canonical json: nested too deeply")
	}
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case string:
		return writeString(buf, x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return fmt.Errorf("canonical json: number %s: %w", x, err)
		}
		return writeNumber(buf, f)
	case float64:
		return writeNumber(buf, x)
	case float32:
		return writeNumber(buf, float64(x))
	case int:
		return writeNumber(buf, float64(x))
	case int64:
		return writeNumber(buf, float64(x))
	case []any:
		return writeArray(buf, x, depth)
	case map[string]any:
		return writeObject(buf, x, depth)
	case json.RawMessage:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		return writeRaw(buf, x)
	default:
		rv := reflect.ValueOf(v)
		if (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice) && rv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("canonical json: %w", err)
		}
		return writeRaw(buf, raw)
	}
	return nil
}

func writeArray(buf *bytes.Buffer, x []any, depth int) error {
	buf.WriteByte('[')
	for i, e := range x {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeCanonical(buf, e, depth+1); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

// writeObject writes the members sorted by the UTF-16 code units of their names (RFC 8785).
func writeObject(buf *bytes.Buffer, x map[string]any, depth int) error {
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeString(buf, k); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := writeCanonical(buf, x[k], depth+1); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// writeRaw writes JSON text in its canonical form.
func writeRaw(buf *bytes.Buffer, raw []byte) error {
	c, err := Canonicalize(raw)
	if err != nil {
		return err
	}
	buf.Write(c)
	return nil
}

// lessUTF16 orders strings by their UTF-16 code units, as RFC 8785 sorts object members.
func lessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

func writeString(buf *bytes.Buffer, s string) error {
	if !utf8.ValidString(s) {
		return errors.New("canonical json: string is not valid UTF-8")
	}
	buf.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(buf, `\u%04x`, r)
			} else {
				buf.WriteRune(r)
			}
		}
	}
	buf.WriteByte('"')
	return nil
}

// writeNumber writes f as ECMAScript's Number.prototype.toString does (RFC 8785 section 3.2.2.3).
func writeNumber(buf *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errors.New("canonical json: NaN and Infinity have no JSON form")
	}
	buf.WriteString(FormatNumber(f))
	return nil
}

// FormatNumber formats a float64 exactly as ECMAScript's Number.prototype.toString (the shortest
// digits that round-trip, plain notation for exponents in [-7, 21), otherwise e-notation).
func FormatNumber(f float64) string {
	if f == 0 {
		return "0" // also -0
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX, shortest round-trip digits
	mant, expText, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expText)
	n := exp + 1
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	default:
		e := n - 1
		es := "+"
		if e < 0 {
			es = "-"
			e = -e
		}
		m := digits[:1]
		if k > 1 {
			m += "." + digits[1:]
		}
		return sign + m + "e" + es + strconv.Itoa(e)
	}
}

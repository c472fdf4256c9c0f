package ledger

// Decisions made on behalf of someone, checked offline: a port of DelegationRegistry
// (packages/core/src/delegation.ts; see docs/delegation.md). A delegation.created entry carries a
// delegation's terms (delegator, delegate, roles, the window [startsAt, endsAt)); delegation.updated
// carries new terms and cites the created entry's index ("created"); delegation.ended ends it for
// good. A delegate's decision names the delegator (onBehalfOf), its role and the created entry's index
// (delegation): it verifies only if that entry came earlier in the log, binds the same two people,
// covers the role, had not been ended and its window (as last updated) contains decidedAt. Check
// names and reasons are core's, word for word, so the three verifiers report the same failure.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// The delegation checks' names (a Report's Check).
const (
	CheckDelegationEntry   = "delegation_entry"
	CheckDelegationUnknown = "delegation_unknown"
	CheckDelegationParties = "delegation_parties"
	CheckDelegationRole    = "delegation_role"
	CheckDelegationWindow  = "delegation_window"
	CheckDelegationEnded   = "delegation_ended"
)

// isDelegationEntry says whether the registry folds entries of this type (delegation.started changes
// no terms).
func isDelegationEntry(typ string) bool {
	return typ == "delegation.created" || typ == "delegation.updated" || typ == "delegation.ended"
}

var rfc3339 = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})$`)

// ParseTimeMillis reads an RFC 3339 time as milliseconds since the epoch, as Date.parse reads the
// server's times; ok is false when it is not one (core's NaN: no window contains it).
//
//	ms, ok := ParseTimeMillis("2026-01-10T16:00:00.000Z") // 1768060800000, true
func ParseTimeMillis(v any) (int64, bool) {
	s, isString := v.(string)
	m := rfc3339.FindStringSubmatch(s)
	if !isString || m == nil {
		return 0, false
	}
	n := func(i int) int {
		x, _ := strconv.Atoi(m[i])
		return x
	}
	sec := 0
	if m[6] != "" {
		sec = n(6)
	}
	frac := (m[7] + "000")[:3]
	millis, _ := strconv.Atoi(frac)
	offset := 0
	if z := m[8]; z != "Z" && z != "z" {
		h, _ := strconv.Atoi(z[1:3])
		mi, _ := strconv.Atoi(z[4:6])
		offset = h*3600 + mi*60
		if z[0] == '-' {
			offset = -offset
		}
	}
	t := time.Date(n(1), time.Month(n(2)), n(3), n(4), n(5), sec, 0, time.FixedZone("", offset))
	// time.Date normalises (February 30 becomes March 2); a time that does not read back is not one.
	if t.Year() != n(1) || int(t.Month()) != n(2) || t.Day() != n(3) || t.Hour() != n(4) || t.Minute() != n(5) || t.Second() != sec {
		return 0, false
	}
	return t.Unix()*1000 + int64(millis), true
}

// InWindow says whether at lies in [start, end): the start is inside, the end is not.
func InWindow(start, end, at int64) bool { return start <= at && at < end }

// DelegationFailure is a failed delegation check: its stable name and a sentence for humans.
type DelegationFailure = CheckFailure

func delegationFail(check, format string, args ...any) *DelegationFailure {
	return &DelegationFailure{Check: check, Detail: fmt.Sprintf(format, args...)}
}

type heldDelegation struct {
	terms      map[string]any
	start, end int64
	ended      bool
}

// jsString prints a value as core's String(...) does for the values a log may hold here.
func jsString(v any, present bool) string {
	switch x := v.(type) {
	case nil:
		if !present {
			return "undefined"
		}
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func termsProblem(d map[string]any) string {
	for _, k := range []string{"delegationId", "delegator", "delegate"} {
		if _, ok := d[k].(string); !ok {
			return "a delegation entry names no delegationId, delegator or delegate"
		}
	}
	roles, ok := d["roles"].([]any)
	if !ok || len(roles) == 0 || slices.ContainsFunc(roles, func(r any) bool { _, s := r.(string); return !s }) {
		return "a delegation entry names no roles"
	}
	_, s1 := d["startsAt"].(string)
	_, s2 := d["endsAt"].(string)
	if !s1 || !s2 {
		return "a delegation entry has no window"
	}
	start, ok1 := ParseTimeMillis(d["startsAt"])
	end, ok2 := ParseTimeMillis(d["endsAt"])
	if !ok1 || !ok2 || start >= end {
		return "a delegation entry ends before it starts"
	}
	if d["delegator"] == d["delegate"] {
		return "a delegation entry delegates to its own delegator"
	}
	return ""
}

func held(terms map[string]any) *heldDelegation {
	start, _ := ParseTimeMillis(terms["startsAt"])
	end, _ := ParseTimeMillis(terms["endsAt"])
	return &heldDelegation{terms: terms, start: start, end: end}
}

// DelegationRegistry holds the delegations folded from the log in ledger order; CheckDecision judges
// the next on-behalf decision against what came before it.
//
//	reg := NewDelegationRegistry()
//	_ = reg.Fold(0, "delegation.created", data) // nil: fine
//	f := reg.CheckDecision(record)              // nil, or &DelegationFailure{Check: CheckDelegationWindow, …}
type DelegationRegistry struct {
	byIndex map[float64]*heldDelegation
}

// NewDelegationRegistry is an empty registry.
func NewDelegationRegistry() *DelegationRegistry {
	return &DelegationRegistry{byIndex: map[float64]*heldDelegation{}}
}

func decodeObject(raw json.RawMessage) map[string]any {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return map[string]any{}
	}
	return m
}

func (r *DelegationRegistry) cited(v any) *heldDelegation {
	if f, ok := v.(float64); ok {
		return r.byIndex[f]
	}
	return nil
}

// Fold folds one delegation.* entry's data; the failure when it is malformed or cites nothing.
func (r *DelegationRegistry) Fold(index int64, entryType string, data json.RawMessage) *DelegationFailure {
	d := decodeObject(data)
	if entryType == "delegation.created" {
		if bad := termsProblem(d); bad != "" {
			return delegationFail(CheckDelegationEntry, "%s", bad)
		}
		r.byIndex[float64(index)] = held(d)
		return nil
	}
	created, present := d["created"]
	h := r.cited(created)
	if id, ok := d["delegationId"]; h == nil || !ok || h.terms["delegationId"] != id {
		return delegationFail(CheckDelegationEntry, "%s cites no earlier delegation.created entry (%s)", entryType, jsString(created, present))
	}
	if h.ended {
		return delegationFail(CheckDelegationEntry, "%s changes delegation %s, already ended", entryType, h.terms["delegationId"])
	}
	if entryType == "delegation.ended" {
		h.ended = true
		return nil
	}
	if entryType != "delegation.updated" {
		return nil
	}
	if bad := termsProblem(d); bad != "" {
		return delegationFail(CheckDelegationEntry, "%s", bad)
	}
	if d["delegator"] != h.terms["delegator"] || d["delegate"] != h.terms["delegate"] {
		return delegationFail(CheckDelegationEntry, "a delegation.updated entry changes who delegates to whom")
	}
	r.byIndex[created.(float64)] = held(d)
	return nil
}

// CheckDecision judges a decision record's JSON: nil when it is not on behalf of anyone or checks out.
func (r *DelegationRegistry) CheckDecision(record json.RawMessage) *DelegationFailure {
	rec := decodeObject(record)
	_, hasOnBehalf := rec["onBehalfOf"]
	cited, hasIndex := rec["delegation"]
	if !hasOnBehalf && !hasIndex {
		return nil
	}
	onBehalfOf, ok1 := rec["onBehalfOf"].(string)
	role, ok2 := rec["role"].(string)
	if _, num := cited.(float64); !num || !ok1 || !ok2 {
		return delegationFail(CheckDelegationUnknown, "an on-behalf decision names no delegation index, delegator or role")
	}
	h := r.cited(cited)
	if h == nil {
		return delegationFail(CheckDelegationUnknown, "the decision cites ledger index %s, which is no earlier delegation.created entry", jsString(cited, true))
	}
	t := h.terms
	decidedBy, hasBy := rec["decidedBy"]
	if t["delegator"] != onBehalfOf || t["delegate"] != decidedBy {
		return delegationFail(CheckDelegationParties, "delegation %s is from %s to %s, not from %s to %s",
			t["delegationId"], t["delegator"], t["delegate"], onBehalfOf, jsString(decidedBy, hasBy))
	}
	if !slices.Contains(t["roles"].([]any), any(role)) {
		return delegationFail(CheckDelegationRole, "delegation %s does not cover the role %s", t["delegationId"], role)
	}
	if h.ended {
		return delegationFail(CheckDelegationEnded, "delegation %s was ended before this decision", t["delegationId"])
	}
	decidedAt, hasAt := rec["decidedAt"]
	if at, ok := ParseTimeMillis(decidedAt); !ok || !InWindow(h.start, h.end, at) {
		return delegationFail(CheckDelegationWindow, "the decision at %s lies outside delegation %s's window [%s, %s)",
			jsString(decidedAt, hasAt), t["delegationId"], t["startsAt"], t["endsAt"])
	}
	return nil
}

package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DecisionRecord is the statement a human's decision is signed as (inside approval.decided entries,
// and returned by the approve and reject calls as provenance).
type DecisionRecord struct {
	Type       string  `json:"type"` // "humanos.decision/v1"
	Origin     string  `json:"origin"`
	ApprovalID string  `json:"approvalId"`
	TaskID     string  `json:"taskId"`
	Verdict    string  `json:"verdict"` // "approved" or "rejected"
	DecidedBy  string  `json:"decidedBy"`
	DecidedAt  string  `json:"decidedAt"`
	Reason     string  `json:"reason"`
	Feedback   *string `json:"feedback"`
	// Edits is the RFC 7386 merge patch the human applied over the proposed payload, or null.
	Edits json.RawMessage `json:"edits"`
	// PayloadDigest is the digest of the payload this decision approves (proposal + edits).
	PayloadDigest string `json:"payloadDigest"`
	// AssignTo is set on routing decisions: the resource the task is assigned to.
	AssignTo string `json:"assignTo,omitempty"`
	// OnBehalfOf is set on a delegate's decision: the delegator it was made for (docs/delegation.md).
	OnBehalfOf string `json:"onBehalfOf,omitempty"`
	// Delegation is set on a delegate's decision: the ledger index of its delegation.created entry.
	Delegation *int64 `json:"delegation,omitempty"`
	// Role is set on a delegate's decision: the gate role the delegation covered.
	Role string `json:"role,omitempty"`
}

// VerifyDecisionSignature checks a 0x-hex Ed25519 signature over the canonical JSON of a decision
// record. record may be the record's JSON text (json.RawMessage or []byte), a DecisionRecord, or a
// decoded map.
func VerifyDecisionSignature(record any, signature string, pub ed25519.PublicKey) bool {
	var canon []byte
	var err error
	switch r := record.(type) {
	case json.RawMessage:
		canon, err = Canonicalize(r)
	case []byte:
		canon, err = Canonicalize(r)
	default:
		canon, err = CanonicalizeValue(record)
	}
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	sig, err := DecodeHex(signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, canon, sig)
}

// Entry is one ledger entry of an export: its index and canonical text exactly as stored.
type Entry struct {
	Index int64 `json:"index"`
	// Entry is the RFC 8785 canonical JSON of {v, seq, type, at, actor, taskId, approvalId?, data}.
	Entry string `json:"entry"`
	// LeafHash is the hex leaf hash recorded at append time ("" when the export did not carry it).
	LeafHash string `json:"leafHash,omitempty"`
	// TaskIDColumn is the store's index column task_id as exported (JSON null or a string; nil when
	// the export did not carry it): it must name the signed entry's taskId.
	TaskIDColumn json.RawMessage `json:"taskId,omitempty"`
}

// StoredDecision is a decision as the store holds it outside the log; it must equal the record
// signed into the ledger entry at LedgerIndex.
type StoredDecision struct {
	LedgerIndex int64           `json:"ledgerIndex"`
	Record      json.RawMessage `json:"record"`
	Signature   string          `json:"signature"`
	// Row is the decision row's own columns (what the API reads); they must say what Record says.
	Row *DecisionRow `json:"row,omitempty"`
}

// DecisionRow is the columns of a stored decision: its verdict, who, for which payload.
type DecisionRow struct {
	ApprovalID    string `json:"approvalId"`
	PrincipalID   string `json:"principalId"`
	Verdict       string `json:"verdict"`
	PayloadDigest string `json:"payloadDigest"`
}

// Bundle is a parsed ledger export (GET /v1/humanos/ledger/export).
type Bundle struct {
	Origin string
	// PublicKey is the key the export claims to be signed by (a did:key).
	PublicKey   string
	Size        int64
	Entries     []Entry
	Checkpoints []string
	Decisions   []StoredDecision
	// Keys is the header's signing-key history (nil in an export from before rotations): the log's
	// first key is its first element; the log's rotations must hand it on to the others.
	Keys []KeyInForce
}

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	// TrustedPublicKey is the signer's key obtained out of band (did:key or hex): it must be one of the
	// log's keys (the first, or one a rotation handed the log to, which then signed a checkpoint).
	// Without it the export's own keys are used, which proves integrity but not authorship.
	TrustedPublicKey string
	// Trusted pins a checkpoint verified earlier: the log must contain at least Trusted.Size entries
	// and its first Trusted.Size entries must have Trusted.Root (append-only since then).
	Trusted *Checkpoint
	// Witnesses is a witness policy: cosignature/v1 verifier keys ("<name>+<key id>+<key>", C2SP
	// signed-note type 0x04). With it, some checkpoint of the log must carry valid cosignatures of
	// WitnessQuorum distinct ones of them (a log forked where the witnesses did not see it fails);
	// cosignatures of other keys are ignored.
	Witnesses []string
	// WitnessQuorum is how many policy witnesses must have cosigned; 0 means all of them.
	WitnessQuorum int
}

// Report says what Verify checked.
type Report struct {
	OK bool
	// Size is the number of entries checked.
	Size                int64
	CheckpointsVerified int
	DecisionsVerified   int
	// FirstBadIndex is the first index found bad (the smallest that could be bad when only a range
	// is known), or -1.
	FirstBadIndex int64
	Reason        string
	// Check names the passkey or delegation check that failed at FirstBadIndex (CheckPasskeySignature,
	// CheckDelegationWindow, …; see docs/ledger.md), "" for other failures.
	Check string
	// WitnessedSize is, with a witness policy, the size of the newest checkpoint a quorum of its
	// witnesses cosigned; -1 without a policy or when the ledger does not verify.
	WitnessedSize int64
	// Keys is the log's signing-key history, from its first key through its rotations.
	Keys []KeyInForce
}

// VerificationError is returned by Verify when the ledger does not verify; Index is the first bad
// entry (-1 when no single index can be named, e.g. a bad checkpoint signature).
type VerificationError struct {
	Index  int64
	Reason string
	// Check is the failed passkey or delegation check's name ("" for other failures).
	Check string
}

func (e *VerificationError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("ledger: bad at index %d: %s", e.Index, e.Reason)
	}
	return "ledger: " + e.Reason
}

// The canonical (key-sorted) encoding of an entry ends with exactly these four members.
var entryTail = regexp.MustCompile(`^"seq":(0|[1-9][0-9]*),"taskId":(null|"(?:[^"\\]|\\.)*"),"type":"([^"\\]*)","v":(?:0|[1-9][0-9]*)}$`)

// readEntryTail reads seq, taskId (nil for null) and type from the canonical entry's tail.
func readEntryTail(entry string) (seq int64, taskID *string, typ string, ok bool) {
	at := strings.LastIndex(entry, `"seq":`)
	if at < 0 {
		return 0, nil, "", false
	}
	m := entryTail.FindStringSubmatch(entry[at:])
	if m == nil {
		return 0, nil, "", false
	}
	seq, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, nil, "", false
	}
	if m[2] != "null" {
		var id string
		if json.Unmarshal([]byte(m[2]), &id) != nil {
			return 0, nil, "", false
		}
		taskID = &id
	}
	return seq, taskID, m[3], true
}

// columnProblem says how an exported task_id column differs from the signed taskId ("" if it does not).
func columnProblem(column json.RawMessage, signed *string) string {
	if column == nil {
		return ""
	}
	var got *string
	if json.Unmarshal(column, &got) == nil && sameString(got, signed) {
		return ""
	}
	want := "null"
	if signed != nil {
		b, _ := json.Marshal(*signed)
		want = string(b)
	}
	return fmt.Sprintf("the stored taskId column (%s) differs from the signed entry's taskId (%s)", string(column), want)
}

// decisionProblem says how a stored decision differs from the one signed into the log ("" if not).
func decisionProblem(d StoredDecision, record []byte, signature string) string {
	canon, err := Canonicalize(d.Record)
	if err != nil || !bytes.Equal(canon, record) || d.Signature != signature {
		return "the stored decision differs from the decision signed into the ledger"
	}
	if d.Row == nil {
		return ""
	}
	var r DecisionRecord
	if json.Unmarshal(record, &r) != nil || d.Row.Verdict != r.Verdict || d.Row.PrincipalID != r.DecidedBy ||
		d.Row.PayloadDigest != r.PayloadDigest || d.Row.ApprovalID != r.ApprovalID {
		return "the stored decision row (verdict, decider, digest) differs from the signed decision"
	}
	return ""
}

type decidedEntry struct {
	ApprovalID *string `json:"approvalId"`
	TaskID     *string `json:"taskId"`
	Data       struct {
		Record    json.RawMessage `json:"record"`
		Signature *string         `json:"signature"`
	} `json:"data"`
}

// entryData is an entry's data member, by its exact name (the passkey members are read from it by
// theirs: encoding/json's struct matching ignores case, which no other verifier does).
func entryData(entry string) json.RawMessage {
	obj, _ := jsonObject(json.RawMessage(entry))
	return obj["data"]
}

type recordNames struct {
	ApprovalID *string `json:"approvalId"`
	TaskID     *string `json:"taskId"`
}

func sameString(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// Verify recomputes every leaf and root of a ledger offline, checks every checkpoint signature and
// every decision signature with only the public key, cross-checks the stored decisions against the
// log, and names the first bad index and why. It returns a *VerificationError when the ledger does
// not verify (the report then says how far it got), or another error for unusable input.
//
//	b, _ := ledger.ParseExport(file)
//	report, err := ledger.Verify(b, ledger.VerifyOptions{TrustedPublicKey: "did:key:z6Mk…"})
//	var bad *ledger.VerificationError
//	if errors.As(err, &bad) { log.Printf("tampered at %d: %s", bad.Index, bad.Reason) }
//
// With opts.Witnesses the report names WitnessedSize, the newest checkpoint a quorum cosigned.
func Verify(b *Bundle, opts VerifyOptions) (Report, error) {
	var trusted ed25519.PublicKey
	if opts.TrustedPublicKey != "" {
		pub, err := ParsePublicKey(opts.TrustedPublicKey)
		if err != nil {
			return Report{FirstBadIndex: -1, WitnessedSize: -1}, fmt.Errorf("ledger: public key: %w", err)
		}
		trusted = pub
	}
	var policy *WitnessPolicy
	if opts.Witnesses != nil || opts.WitnessQuorum != 0 {
		p, err := NewWitnessPolicy(opts.Witnesses, opts.WitnessQuorum)
		if err != nil {
			return Report{FirstBadIndex: -1, WitnessedSize: -1}, fmt.Errorf("ledger: witness policy: %w", err)
		}
		policy = p
	}
	v := &verification{opts: opts, tree: &Frontier{}, heads: &TaskHeads{}, logged: map[int64]loggedDecision{}, keys: NewKeyRegistry(), delegations: NewDelegationRegistry()}
	v.rep.WitnessedSize = -1
	bad := v.start(b, trusted)
	if bad == nil && policy != nil {
		bad = v.countCosigners(policy)
	}
	if bad == nil {
		bad = v.run(b)
	}
	if bad == nil && policy != nil {
		bad = v.checkWitnesses(policy)
	}
	rep := v.rep
	rep.Size = int64(v.tree.Size())
	if v.chain != nil {
		rep.Keys = v.chain.History()
	}
	if bad != nil {
		rep.FirstBadIndex, rep.Reason, rep.Check, rep.WitnessedSize = bad.index, bad.reason, bad.check, -1
		return rep, &VerificationError{Index: bad.index, Reason: bad.reason, Check: bad.check}
	}
	rep.OK, rep.FirstBadIndex = true, -1
	return rep, nil
}

// start reads the log's signing keys (the header's first key, then the log's rotations) and opens
// the checkpoints with the key in force at each size; a trusted key must be one of the chain's.
func (v *verification) start(b *Bundle, trusted ed25519.PublicKey) *badAt {
	firstText := b.PublicKey
	if len(b.Keys) > 0 {
		firstText = b.Keys[0].PublicKey
	}
	first, err := ParsePublicKey(firstText)
	if err != nil {
		return &badAt{-1, "the export header's public key is rejected: " + err.Error(), ""}
	}
	chain, bad := keyChainOf(b, first)
	if bad != nil {
		return bad
	}
	v.chain = chain
	if v.cps, bad = openCheckpoints(b, chain); bad != nil {
		return bad
	}
	if trusted != nil {
		return checkTrustedKey(chain, trusted, v.cps, b.Origin)
	}
	return nil
}

// badAt is a failed check: the first index that cannot be trusted (-1: no entry in particular) and why.
type badAt struct {
	index  int64
	reason string
	check  string // the failed passkey or delegation check's name, "" for other failures
}

func passkeyBad(index int64, f *PasskeyFailure) *badAt {
	return &badAt{index, f.Reason(), f.Check}
}

type checkpointAt struct {
	size  uint64
	root  []byte
	heads *TaskHeadsRoot
	note  string
}

type loggedDecision struct {
	record    []byte
	signature string
}

// verification is one pass over an export: the Merkle tree and task heads as the entries stream by,
// compared with each signed checkpoint as the stream reaches its size.
type verification struct {
	opts     VerifyOptions
	chain    *KeyChain
	tree     *Frontier
	heads    *TaskHeads
	cps      []checkpointAt
	next     int
	lastGood uint64
	logged   map[int64]loggedDecision
	// keys is the approver key registry, folded in log order: a decision sees only the keys logged before it.
	keys *KeyRegistry
	// delegations are folded the same way: an on-behalf decision must cite an earlier one.
	delegations *DelegationRegistry
	rep         Report
	// cosigned counts each checkpoint's policy cosigners (with a witness policy).
	cosigned []int
}

func (v *verification) run(b *Bundle) *badAt {
	if bad := v.checkRootsAt(0); bad != nil {
		return bad
	}
	for i, item := range b.Entries {
		if bad := v.add(int64(i), item); bad != nil {
			return bad
		}
	}
	size := v.tree.Size()
	if v.next < len(v.cps) {
		return &badAt{int64(size), fmt.Sprintf("a signed checkpoint covers %d entries but only %d are present", v.cps[v.next].size, size), ""}
	}
	if v.opts.Trusted != nil && size < v.opts.Trusted.Size {
		return &badAt{int64(size), fmt.Sprintf("the log has %d entries, fewer than the trusted checkpoint's size %d (entries were removed)", size, v.opts.Trusted.Size), ""}
	}
	for _, d := range b.Decisions {
		l, ok := v.logged[d.LedgerIndex]
		if !ok {
			return &badAt{d.LedgerIndex, "a stored decision points at a ledger entry that is not a decision", ""}
		}
		if problem := decisionProblem(d, l.record, l.signature); problem != "" {
			return &badAt{d.LedgerIndex, problem, ""}
		}
	}
	return nil
}

// openCheckpoints verifies the export's checkpoint signatures and sorts them by size (so entries are
// streamed once and each root is compared the moment the stream reaches its size).
func openCheckpoints(b *Bundle, chain *KeyChain) ([]checkpointAt, *badAt) {
	var cps []checkpointAt
	for _, note := range b.Checkpoints {
		c, err := OpenCheckpoint(note, b.Origin, chain.ForSize(claimedSize(note)))
		if err != nil {
			return nil, &badAt{-1, "checkpoint rejected: " + err.Error(), ""}
		}
		heads, err := TaskHeadsFromExtensions(c.Extensions)
		if err != nil {
			return nil, &badAt{-1, "checkpoint rejected: " + err.Error(), ""}
		}
		cps = append(cps, checkpointAt{c.Size, c.Root, heads, note})
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	// Task-heads lines started at some size (older logs have checkpoints without): once one signs
	// them, every later one must.
	for i, seen := 0, false; i < len(cps); i++ {
		if seen && cps[i].heads == nil {
			return nil, &badAt{-1, fmt.Sprintf("the checkpoint of size %d signs no task-heads root, though an earlier one does", cps[i].size), ""}
		}
		seen = seen || cps[i].heads != nil
	}
	return cps, nil
}

// claimedSize is the size a checkpoint note claims, read before its signature is checked (to pick
// the key in force at that size; the signature then covers it). 0 when unreadable: opening fails.
func claimedSize(note string) uint64 {
	text, _, err := splitNote(note)
	if err != nil {
		return 0
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 3 || !decimal.MatchString(lines[1]) {
		return 0
	}
	size, _ := strconv.ParseUint(lines[1], 10, 64)
	return size
}

// checkRootsAt compares the roots with every signed checkpoint of this size, and with the trusted one.
func (v *verification) checkRootsAt(size uint64) *badAt {
	for v.next < len(v.cps) && v.cps[v.next].size == size {
		c := v.cps[v.next]
		if !equalBytes(v.tree.Root(), c.root) {
			return &badAt{int64(v.lastGood), fmt.Sprintf("root of the first %d entries differs from the signed checkpoint (bad entry in [%d, %d))", c.size, v.lastGood, c.size), ""}
		}
		if c.heads != nil {
			if got := v.heads.Root(); got.Size != c.heads.Size || !equalBytes(got.Root, c.heads.Root) {
				return &badAt{int64(v.lastGood), fmt.Sprintf("the task heads of the first %d entries differ from the signed checkpoint's (bad entry in [%d, %d))", c.size, v.lastGood, c.size), ""}
			}
		}
		v.lastGood = c.size
		v.rep.CheckpointsVerified++
		v.next++
	}
	if t := v.opts.Trusted; t != nil && t.Size == size && !equalBytes(v.tree.Root(), t.Root) {
		return &badAt{0, fmt.Sprintf("the first %d entries differ from the trusted checkpoint of size %d (the log was rewritten or forked)", size, size), ""}
	}
	return nil
}

// add checks entry idx (position, sequence, recorded leaf hash, the store's task column, a decision's
// signature) and appends it to the tree.
func (v *verification) add(idx int64, item Entry) *badAt {
	if item.Index != idx {
		return &badAt{idx, fmt.Sprintf("entry at position %d claims index %d (missing or reordered)", idx, item.Index), ""}
	}
	seq, taskID, typ, ok := readEntryTail(item.Entry)
	if !ok {
		return &badAt{idx, "entry is not a canonical ledger entry", ""}
	}
	if seq != idx {
		return &badAt{idx, fmt.Sprintf("entry seq is %d, want %d (missing or reordered)", seq, idx), ""}
	}
	leaf := LeafHash([]byte(item.Entry))
	if item.LeafHash != "" && hex.EncodeToString(leaf) != item.LeafHash {
		return &badAt{idx, "entry does not match the leaf hash recorded when it was appended", ""}
	}
	// The store's index column must name the signed entry's task (an edited one hides the entry).
	if problem := columnProblem(item.TaskIDColumn, taskID); problem != "" {
		return &badAt{idx, problem, ""}
	}
	if typ == "passkey.enrolled" || typ == "passkey.revoked" {
		if !json.Valid([]byte(item.Entry)) {
			return &badAt{idx, "entry is not JSON", ""}
		}
		if f := v.keys.Fold(idx, typ, entryData(item.Entry)); f != nil {
			return passkeyBad(idx, f)
		}
	}
	if isDelegationEntry(typ) {
		if !json.Valid([]byte(item.Entry)) {
			return &badAt{idx, "entry is not JSON", ""}
		}
		if f := v.delegations.Fold(idx, typ, entryData(item.Entry)); f != nil {
			return &badAt{idx, f.Reason(), f.Check}
		}
	}
	if typ == "approval.decided" {
		d, reason := signedDecision(item.Entry, v.chain.ForEntry(idx))
		if reason != "" {
			return &badAt{idx, reason, ""}
		}
		if f := v.delegations.CheckDecision(d.record); f != nil {
			return &badAt{idx, f.Reason(), f.Check}
		}
		if f := v.keys.CheckPasskeyDecision(idx, entryData(item.Entry)); f != nil {
			return passkeyBad(idx, f)
		}
		v.rep.DecisionsVerified++
		v.logged[idx] = d
	}
	v.tree.Append(leaf)
	if taskID != nil {
		v.heads.Add(*taskID, leaf)
	}
	return v.checkRootsAt(v.tree.Size())
}

// signedDecision is an approval.decided entry's record (canonical) and signature, or why it fails.
func signedDecision(entry string, pub ed25519.PublicKey) (loggedDecision, string) {
	var e decidedEntry
	if err := json.Unmarshal([]byte(entry), &e); err != nil {
		return loggedDecision{}, "entry is not JSON"
	}
	if len(e.Data.Record) == 0 || e.Data.Signature == nil || !VerifyDecisionSignature(e.Data.Record, *e.Data.Signature, pub) {
		return loggedDecision{}, "decision signature does not verify"
	}
	var names recordNames
	if err := json.Unmarshal(e.Data.Record, &names); err != nil || !sameString(names.ApprovalID, e.ApprovalID) || !sameString(names.TaskID, e.TaskID) {
		return loggedDecision{}, "decision record names another approval or task than its entry"
	}
	canon, _ := Canonicalize(e.Data.Record)
	return loggedDecision{canon, *e.Data.Signature}, ""
}

// DecodeBase64Root decodes a base64 root hash, as in a checkpoint note's body.
func DecodeBase64Root(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != HashSize {
		return nil, errors.New("root hash must be 32 bytes of base64")
	}
	return b, nil
}

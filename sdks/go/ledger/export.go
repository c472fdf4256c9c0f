package ledger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

type exportLine struct {
	Type        string          `json:"type"`
	Format      string          `json:"format"`
	Origin      string          `json:"origin"`
	PublicKey   string          `json:"publicKey"`
	Size        int64           `json:"size"`
	Keys        json.RawMessage `json:"keys"`
	Index       *int64          `json:"index"`
	Entry       *string         `json:"entry"`
	LeafHash    string          `json:"leafHash"`
	TaskID      json.RawMessage `json:"taskId"`
	Row         *DecisionRow    `json:"row"`
	Note        string          `json:"note"`
	LedgerIndex int64           `json:"ledgerIndex"`
	Record      json.RawMessage `json:"record"`
	Signature   string          `json:"signature"`
}

// ParseExport reads a JSON Lines export: a header line, the entries, the stored decisions and the
// signed checkpoints.
func ParseExport(r io.Reader) (*Bundle, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	b := &Bundle{}
	header := false
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var rec exportLine
			if jerr := json.Unmarshal(line, &rec); jerr != nil {
				return nil, fmt.Errorf("export line %d is not JSON: %w", n, jerr)
			}
			switch rec.Type {
			case "header":
				if rec.Format != "humanos-ledger/1" {
					return nil, fmt.Errorf("export line %d: unknown format %q", n, rec.Format)
				}
				header = true
				b.Origin, b.PublicKey, b.Size = rec.Origin, rec.PublicKey, rec.Size
				if b.Keys, err = headerKeys(rec.Keys); err != nil {
					return nil, fmt.Errorf("export line %d: %w", n, err)
				}
			case "entry":
				if rec.Index == nil || rec.Entry == nil {
					return nil, fmt.Errorf("export line %d: entry without index or text", n)
				}
				b.Entries = append(b.Entries, Entry{Index: *rec.Index, Entry: *rec.Entry, LeafHash: rec.LeafHash, TaskIDColumn: rec.TaskID})
			case "checkpoint":
				b.Checkpoints = append(b.Checkpoints, rec.Note)
			case "decision":
				b.Decisions = append(b.Decisions, StoredDecision{LedgerIndex: rec.LedgerIndex, Record: rec.Record, Signature: rec.Signature, Row: rec.Row})
			default:
				return nil, fmt.Errorf("export line %d has an unknown type %q", n, rec.Type)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if !header {
		return nil, errors.New("export has no header line")
	}
	return b, nil
}

// headerKeys reads the header's keys member: absent (or null) in an export from before rotations.
func headerKeys(raw json.RawMessage) ([]KeyInForce, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []map[string]json.RawMessage
	bad := errors.New("the export header's keys is not a list of {publicKey, fromSize}")
	if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
		return nil, bad
	}
	keys := make([]KeyInForce, len(items))
	for i, item := range items {
		if item == nil || json.Unmarshal(item["publicKey"], &keys[i].PublicKey) != nil || json.Unmarshal(item["fromSize"], &keys[i].FromSize) != nil {
			return nil, bad
		}
	}
	return keys, nil
}

package humanos

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"strconv"
	"time"

	"github.com/human/sdk-go/ledger"
)

// LedgerCheckpoint is the latest signed checkpoint (public).
type LedgerCheckpoint struct {
	Size int64 `json:"size"`
	// RootHash is 0x-hex.
	RootHash string `json:"rootHash"`
	// Checkpoint is the signed note.
	Checkpoint string `json:"checkpoint"`
	Origin     string `json:"origin"`
}

// LedgerCheckpoint returns the latest signed checkpoint (no authentication needed).
func (c *Client) LedgerCheckpoint(ctx context.Context) (*LedgerCheckpoint, error) {
	var out LedgerCheckpoint
	if err := c.do(ctx, request{method: "GET", path: prefix + "/ledger/checkpoint", retry: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// LedgerKey is the ledger's signer.
type LedgerKey struct {
	Origin string `json:"origin"`
	// PublicKey is a did:key.
	PublicKey string `json:"publicKey"`
	Algorithm string `json:"algorithm"`
}

// Ed25519 decodes the did:key.
func (k *LedgerKey) Ed25519() (ed25519.PublicKey, error) {
	return ledger.PublicKeyFromDIDKey(k.PublicKey)
}

// LedgerPublicKey returns the ledger's origin and public key (no authentication needed). Obtain the
// key you trust out of band where it matters; this is the server's own claim.
func (c *Client) LedgerPublicKey(ctx context.Context) (*LedgerKey, error) {
	var out LedgerKey
	if err := c.do(ctx, request{method: "GET", path: prefix + "/ledger/public-key", retry: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExportLedger downloads the whole ledger as JSON Lines (admin or auditor role).
func (c *Client) ExportLedger(ctx context.Context) ([]byte, error) {
	var raw []byte
	if err := c.do(ctx, request{method: "GET", path: prefix + "/ledger/export", retry: true, extra: 10 * time.Minute, out: &raw}); err != nil {
		return nil, err
	}
	return raw, nil
}

// ConsistencyProof is the server's proof that the log of size To extends the log of size From.
type ConsistencyProof struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
	// ConsistencyProof hashes are 0x-hex.
	ConsistencyProof []string `json:"consistencyProof"`
	// Checkpoint is the signed checkpoint at size To.
	Checkpoint string `json:"checkpoint"`
}

// ConsistencyProof fetches a consistency proof from size from to size to (admin or auditor).
func (c *Client) ConsistencyProof(ctx context.Context, from, to int64) (*ConsistencyProof, error) {
	var out ConsistencyProof
	path := prefix + "/ledger/proof/consistency?from=" + strconv.FormatInt(from, 10) + "&to=" + strconv.FormatInt(to, 10)
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// InclusionProof is the server's proof that entry Index is in the log of size TreeSize.
type InclusionProof struct {
	Index          int64    `json:"index"`
	TreeSize       int64    `json:"treeSize"`
	InclusionProof []string `json:"inclusionProof"`
	Checkpoint     string   `json:"checkpoint"`
}

// InclusionProof fetches an inclusion proof of entry index in the log of size size (0: the latest).
func (c *Client) InclusionProof(ctx context.Context, index, size int64) (*InclusionProof, error) {
	var out InclusionProof
	path := prefix + "/ledger/proof/inclusion?index=" + strconv.FormatInt(index, 10)
	if size > 0 {
		path += "&size=" + strconv.FormatInt(size, 10)
	}
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// VerifyLedgerOptions tunes VerifyLedger.
type VerifyLedgerOptions struct {
	// TrustedPublicKey is the signer's key you obtained out of band (did:key or hex); it must be one
	// of the log's signing keys (see ledger.VerifyOptions). Without it the export's own keys are used,
	// which proves integrity but not who signed.
	TrustedPublicKey string
	// TrustedCheckpoint is a checkpoint note you verified and stored earlier. The ledger must have
	// grown from it append-only: the server must produce a consistency proof from its size to the
	// export's size that verifies against both roots, and the export's first entries must hash to
	// its root. A log shorter than it fails naming both sizes.
	TrustedCheckpoint string
	// Witnesses and WitnessQuorum are a witness policy (ledger.VerifyOptions): WitnessQuorum of these
	// cosignature/v1 verifier keys must have cosigned a checkpoint of the log (0: all of them).
	Witnesses     []string
	WitnessQuorum int
}

// VerifyLedger downloads the ledger (admin or auditor) and verifies it offline with the ledger
// package: every leaf and root recomputed, every checkpoint and decision signature checked, the
// stored decisions cross-checked against the log; with TrustedCheckpoint, append-only growth from it.
// A tampered ledger gives an error matching *ledger.VerificationError, naming the first bad index.
//
//	report, err := auditor.VerifyLedger(ctx, humanos.VerifyLedgerOptions{TrustedPublicKey: pinnedKey, TrustedCheckpoint: lastNote})
func (c *Client) VerifyLedger(ctx context.Context, opts VerifyLedgerOptions) (ledger.Report, error) {
	raw, err := c.ExportLedger(ctx)
	if err != nil {
		return ledger.Report{FirstBadIndex: -1}, err
	}
	b, err := ledger.ParseExport(bytes.NewReader(raw))
	if err != nil {
		return ledger.Report{FirstBadIndex: -1}, err
	}
	vo := ledger.VerifyOptions{TrustedPublicKey: opts.TrustedPublicKey, Witnesses: opts.Witnesses, WitnessQuorum: opts.WitnessQuorum}
	if opts.TrustedCheckpoint != "" {
		// Each checkpoint is opened with the key in force at its size (the log's key history; Verify
		// then checks that a TrustedPublicKey is one of those keys).
		chain, err := ledger.KeyChainOf(b)
		if err != nil {
			return ledger.Report{FirstBadIndex: -1}, err
		}
		claimed, err := ledger.ParseCheckpoint(opts.TrustedCheckpoint)
		if err != nil {
			return ledger.Report{FirstBadIndex: -1}, fmt.Errorf("trusted checkpoint: %w", err)
		}
		trusted, err := ledger.OpenCheckpoint(opts.TrustedCheckpoint, b.Origin, chain.ForSize(claimed.Size))
		if err != nil {
			return ledger.Report{FirstBadIndex: -1}, fmt.Errorf("trusted checkpoint: %w", err)
		}
		vo.Trusted = &trusted
		size := int64(len(b.Entries))
		if size < int64(trusted.Size) {
			reason := fmt.Sprintf("the log has %d entries, fewer than the trusted checkpoint's size %d (entries were removed)", size, trusted.Size)
			return ledger.Report{FirstBadIndex: size, Size: size, Reason: reason}, &ledger.VerificationError{Index: size, Reason: reason}
		}
		if trusted.Size > 0 {
			if err := c.checkConsistency(ctx, trusted, size, b.Origin, chain.ForSize(uint64(size))); err != nil {
				return ledger.Report{FirstBadIndex: -1, Reason: err.Error()}, err
			}
		}
	}
	return ledger.Verify(b, vo)
}

// CheckConsistency proves that the server's current log extends a checkpoint you trust (admin or
// auditor): it fetches the latest signed checkpoint and a consistency proof from trusted's size and
// verifies both with pub. It returns the new checkpoint, to be trusted from now on.
func (c *Client) CheckConsistency(ctx context.Context, trustedNote string, pub ed25519.PublicKey) (*ledger.Checkpoint, error) {
	key, err := c.LedgerPublicKey(ctx)
	if err != nil {
		return nil, err
	}
	trusted, err := ledger.OpenCheckpoint(trustedNote, key.Origin, pub)
	if err != nil {
		return nil, fmt.Errorf("trusted checkpoint: %w", err)
	}
	latest, err := c.LedgerCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	cp, err := ledger.OpenCheckpoint(latest.Checkpoint, key.Origin, pub)
	if err != nil {
		return nil, fmt.Errorf("latest checkpoint: %w", err)
	}
	if cp.Size < trusted.Size {
		reason := fmt.Sprintf("the log (size %d) is shorter than the trusted checkpoint (size %d)", cp.Size, trusted.Size)
		return nil, &ledger.VerificationError{Index: int64(cp.Size), Reason: reason}
	}
	if err := c.checkConsistency(ctx, trusted, int64(cp.Size), key.Origin, pub); err != nil {
		return nil, err
	}
	return &cp, nil
}

func (c *Client) checkConsistency(ctx context.Context, trusted ledger.Checkpoint, to int64, origin string, pub ed25519.PublicKey) error {
	if trusted.Size == 0 {
		return nil
	}
	p, err := c.ConsistencyProof(ctx, int64(trusted.Size), to)
	if err != nil {
		return err
	}
	cp, err := ledger.OpenCheckpoint(p.Checkpoint, origin, pub)
	if err != nil {
		return fmt.Errorf("consistency proof's checkpoint: %w", err)
	}
	if int64(cp.Size) != to || p.From != int64(trusted.Size) || p.To != to {
		return &ledger.VerificationError{Index: -1, Reason: fmt.Sprintf("consistency proof is for %d→%d (checkpoint %d), asked %d→%d", p.From, p.To, cp.Size, trusted.Size, to)}
	}
	proof := make([][]byte, len(p.ConsistencyProof))
	for i, h := range p.ConsistencyProof {
		if proof[i], err = ledger.DecodeHex(h); err != nil {
			return fmt.Errorf("consistency proof: %w", err)
		}
	}
	if err := ledger.VerifyConsistency(trusted.Size, cp.Size, proof, trusted.Root, cp.Root); err != nil {
		return &ledger.VerificationError{Index: -1, Reason: fmt.Sprintf("the log of size %d does not extend the trusted checkpoint of size %d: %v", cp.Size, trusted.Size, err)}
	}
	return nil
}

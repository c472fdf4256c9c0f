package ledger

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The RFC 6962 vectors published by transparency-dev/merkle, kept at the repository root.
var vectors = filepath.Join("..", "..", "..", "testdata", "rfc6962")

func jsonFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading vectors: %v", err)
	}
	return out
}

func b64s(t *testing.T, in []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(in))
	for i, s := range in {
		out[i] = b64(t, s)
	}
	return out
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("base64 %q: %v", s, err)
	}
	return b
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestReferenceTree(t *testing.T) {
	var ref struct {
		LeafInputs  []string `json:"leafInputs"`
		LeafHashes  []string `json:"leafHashes"`
		RootsBySize []string `json:"rootsBySize"`
	}
	readJSON(t, filepath.Join(vectors, "reference-tree.json"), &ref)
	if len(ref.RootsBySize) != 9 {
		t.Fatalf("want 9 roots, got %d", len(ref.RootsBySize))
	}
	var leaves [][]byte
	tree := &MemoryTree{}
	frontier := &Frontier{}
	for i, in := range ref.LeafInputs {
		raw, _ := hex.DecodeString(in)
		l := LeafHash(raw)
		if got := hex.EncodeToString(l); got != ref.LeafHashes[i] {
			t.Fatalf("leaf %d: got %s want %s", i, got, ref.LeafHashes[i])
		}
		leaves = append(leaves, l)
	}
	for size, want := range ref.RootsBySize {
		if got := hex.EncodeToString(RootFromLeafHashes(leaves[:size])); got != want {
			t.Errorf("RootFromLeafHashes(%d) = %s, want %s", size, got, want)
		}
		r, err := tree.Root(uint64(size))
		if err != nil || hex.EncodeToString(r) != want {
			t.Errorf("MemoryTree.Root(%d) = %x (%v), want %s", size, r, err, want)
		}
		if got := hex.EncodeToString(frontier.Root()); got != want {
			t.Errorf("Frontier root at %d = %s, want %s", size, got, want)
		}
		if size < len(leaves) {
			tree.Append(leaves[size])
			frontier.Append(leaves[size])
		}
	}
}

func TestInclusionVectors(t *testing.T) {
	files := jsonFiles(t, filepath.Join(vectors, "inclusion"))
	if len(files) < 50 {
		t.Fatalf("found only %d inclusion vectors", len(files))
	}
	for _, f := range files {
		var v struct {
			LeafIdx  uint64   `json:"leafIdx"`
			TreeSize uint64   `json:"treeSize"`
			Root     string   `json:"root"`
			LeafHash string   `json:"leafHash"`
			Proof    []string `json:"proof"`
			WantErr  bool     `json:"wantErr"`
		}
		readJSON(t, f, &v)
		err := VerifyInclusion(v.LeafIdx, v.TreeSize, b64(t, v.LeafHash), b64s(t, v.Proof), b64(t, v.Root))
		if v.WantErr && err == nil {
			t.Errorf("%s: accepted, must fail", f)
		}
		if !v.WantErr && err != nil {
			t.Errorf("%s: rejected (%v), must pass", f, err)
		}
	}
}

func TestConsistencyVectors(t *testing.T) {
	files := jsonFiles(t, filepath.Join(vectors, "consistency"))
	if len(files) < 50 {
		t.Fatalf("found only %d consistency vectors", len(files))
	}
	for _, f := range files {
		var v struct {
			Size1   uint64   `json:"size1"`
			Size2   uint64   `json:"size2"`
			Root1   string   `json:"root1"`
			Root2   string   `json:"root2"`
			Proof   []string `json:"proof"`
			WantErr bool     `json:"wantErr"`
		}
		readJSON(t, f, &v)
		err := VerifyConsistency(v.Size1, v.Size2, b64s(t, v.Proof), b64(t, v.Root1), b64(t, v.Root2))
		if v.WantErr && err == nil {
			t.Errorf("%s: accepted, must fail", f)
		}
		if !v.WantErr && err != nil {
			t.Errorf("%s: rejected (%v), must pass", f, err)
		}
	}
}

func TestGeneratedProofsEqualPublishedOnes(t *testing.T) {
	var ref struct {
		LeafHashes []string `json:"leafHashes"`
	}
	readJSON(t, filepath.Join(vectors, "reference-tree.json"), &ref)
	tree := &MemoryTree{}
	for _, h := range ref.LeafHashes {
		b, _ := hex.DecodeString(h)
		tree.Append(b)
	}
	checked := 0
	for _, f := range jsonFiles(t, filepath.Join(vectors, "inclusion")) {
		if !strings.HasSuffix(f, "happy-path.json") {
			continue
		}
		var v struct {
			LeafIdx, TreeSize uint64
			Proof             []string
		}
		readJSON(t, f, &v)
		if v.TreeSize > 8 {
			continue
		}
		p, err := tree.InclusionProof(v.LeafIdx, v.TreeSize)
		if err != nil || !sameProof(p, b64s(t, v.Proof)) {
			t.Errorf("%s: generated inclusion proof differs (%v)", f, err)
		}
		checked++
	}
	for _, f := range jsonFiles(t, filepath.Join(vectors, "consistency")) {
		if !strings.HasSuffix(f, "happy-path.json") {
			continue
		}
		var v struct {
			Size1, Size2 uint64
			Proof        []string
		}
		readJSON(t, f, &v)
		if v.Size2 > 8 || v.Size1 == 0 {
			continue
		}
		p, err := tree.ConsistencyProof(v.Size1, v.Size2)
		if err != nil || !sameProof(p, b64s(t, v.Proof)) {
			t.Errorf("%s: generated consistency proof differs (%v)", f, err)
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d happy-path vectors compared", checked)
	}
}

func sameProof(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalBytes(a[i], b[i]) {
			return false
		}
	}
	return true
}

// Every inclusion and consistency proof of a 40-leaf tree verifies, and flipping any bit of any
// proof hash makes it fail.
func TestProofsRoundTrip(t *testing.T) {
	tree := &MemoryTree{}
	for i := 0; i < 40; i++ {
		tree.Append(LeafHash([]byte{byte(i)}))
	}
	for size := uint64(1); size <= 40; size++ {
		root, _ := tree.Root(size)
		for i := uint64(0); i < size; i++ {
			p, err := tree.InclusionProof(i, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyInclusion(i, size, tree.leaves[i], p, root); err != nil {
				t.Fatalf("inclusion %d/%d: %v", i, size, err)
			}
			if len(p) > 0 {
				p[0] = append([]byte(nil), p[0]...)
				p[0][3] ^= 1
				if VerifyInclusion(i, size, tree.leaves[i], p, root) == nil {
					t.Fatalf("inclusion %d/%d: tampered proof accepted", i, size)
				}
			}
		}
		for s1 := uint64(1); s1 <= size; s1++ {
			r1, _ := tree.Root(s1)
			p, err := tree.ConsistencyProof(s1, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyConsistency(s1, size, p, r1, root); err != nil {
				t.Fatalf("consistency %d→%d: %v", s1, size, err)
			}
			if len(p) > 0 {
				p[len(p)-1] = append([]byte(nil), p[len(p)-1]...)
				p[len(p)-1][0] ^= 0x80
				if VerifyConsistency(s1, size, p, r1, root) == nil {
					t.Fatalf("consistency %d→%d: tampered proof accepted", s1, size)
				}
			}
		}
	}
}

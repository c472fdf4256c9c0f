package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// TaskHeadsExtension is the keyword of the checkpoint extension line that signs the task-heads root:
// "humanos-task-heads <T> <base64 root>".
const TaskHeadsExtension = "humanos-task-heads"

var taskHeadsLine = regexp.MustCompile(`^humanos-task-heads (0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=)$`)

// TaskHeadsRoot is what a checkpoint's heads line signs: the number of tasks and the tree's root.
type TaskHeadsRoot struct {
	Size uint64
	Root []byte
}

// TaskHeadsFromExtensions returns the heads root a checkpoint's extension lines sign, or nil when
// none does (a checkpoint from before task heads). A malformed or repeated heads line is an error.
func TaskHeadsFromExtensions(extensions []string) (*TaskHeadsRoot, error) {
	var found *TaskHeadsRoot
	for _, line := range extensions {
		if !strings.HasPrefix(line, TaskHeadsExtension+" ") {
			continue
		}
		m := taskHeadsLine.FindStringSubmatch(line)
		if m == nil {
			return nil, errors.New("bad task-heads line")
		}
		size, err := strconv.ParseUint(m[1], 10, 64)
		root, rerr := base64.StdEncoding.DecodeString(m[2])
		if err != nil || rerr != nil || len(root) != HashSize {
			return nil, errors.New("bad task-heads line")
		}
		if found != nil {
			return nil, errors.New("two task-heads lines")
		}
		found = &TaskHeadsRoot{Size: size, Root: root}
	}
	return found, nil
}

// TaskHeadLeaf is the heads tree's leaf of a task with count entries and running hash acc:
// LeafHash(canonical JSON of {acc: hex, count, taskId}).
func TaskHeadLeaf(taskID string, count uint64, acc []byte) []byte {
	canon, _ := CanonicalizeValue(map[string]any{"acc": hex.EncodeToString(acc), "count": float64(count), "taskId": taskID})
	return LeafHash(canon)
}

type taskHead struct {
	pos   int
	count uint64
	acc   []byte
}

// TaskHeads recomputes the task-heads map from a log's entries, in log order: per task a running
// hash acc_i = SHA-256(acc_{i-1} ‖ leaf_i) from 32 zero bytes and a count, at the position where
// the task first appears; the tree over the leaves is RFC 6962's (leaves change, positions only grow).
type TaskHeads struct {
	heads  map[string]*taskHead
	levels [][][]byte
	dirty  map[int]string
}

// Add records one more entry (its leaf hash) of taskID.
func (t *TaskHeads) Add(taskID string, leaf []byte) {
	if t.heads == nil {
		t.heads, t.dirty, t.levels = map[string]*taskHead{}, map[int]string{}, [][][]byte{nil}
	}
	h := t.heads[taskID]
	if h == nil {
		h = &taskHead{pos: len(t.heads), acc: make([]byte, HashSize)}
		t.heads[taskID] = h
	}
	h.count++
	sum := sha256.Sum256(append(append([]byte{}, h.acc...), leaf...))
	h.acc = sum[:]
	t.dirty[h.pos] = taskID
}

func (t *TaskHeads) set(pos int, leaf []byte) {
	if pos == len(t.levels[0]) {
		t.levels[0] = append(t.levels[0], leaf)
	} else {
		t.levels[0][pos] = leaf
	}
	size := len(t.levels[0])
	// Every complete subtree above the leaf is recomputed from its two children.
	for level, idx := 1, pos/2; (idx+1)<<level <= size; level, idx = level+1, idx/2 {
		if len(t.levels) <= level {
			t.levels = append(t.levels, nil)
		}
		below := t.levels[level-1]
		h := NodeHash(below[2*idx], below[2*idx+1])
		if idx == len(t.levels[level]) {
			t.levels[level] = append(t.levels[level], h)
		} else {
			t.levels[level][idx] = h
		}
	}
}

func (t *TaskHeads) rangeHash(start, end int) []byte {
	n := end - start
	if n&(n-1) == 0 && start%n == 0 {
		level := 0
		for 1<<level < n {
			level++
		}
		return t.levels[level][start/n]
	}
	k := 1
	for k*2 < n {
		k *= 2
	}
	return NodeHash(t.rangeHash(start, start+k), t.rangeHash(start+k, end))
}

// Root is the map as fed so far: the number of tasks and the root.
func (t *TaskHeads) Root() TaskHeadsRoot {
	if t.heads == nil {
		return TaskHeadsRoot{Size: 0, Root: EmptyRoot()}
	}
	positions := make([]int, 0, len(t.dirty))
	for pos := range t.dirty {
		positions = append(positions, pos)
	}
	sort.Ints(positions)
	for _, pos := range positions {
		id := t.dirty[pos]
		h := t.heads[id]
		t.set(pos, TaskHeadLeaf(id, h.count, h.acc))
	}
	t.dirty = map[int]string{}
	size := len(t.levels[0])
	if size == 0 {
		return TaskHeadsRoot{Size: 0, Root: EmptyRoot()}
	}
	return TaskHeadsRoot{Size: uint64(size), Root: t.rangeHash(0, size)}
}

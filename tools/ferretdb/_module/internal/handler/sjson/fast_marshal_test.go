// Added to FerretDB v1.24.2's sjson package with fast_marshal.go (see there); run by
// tests/api/ferretdb-sjson.test.ts together with FerretDB's own sjson tests.

package sjson

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// TestFastMarshalMatchesSlow: for documents of every type, the one-buffer encoder either declines
// or writes exactly the bytes of FerretDB's own encoder; for the app's types it never declines.
func TestFastMarshalMatchesSlow(t *testing.T) {
	t.Parallel()

	r := rand.New(rand.NewSource(3))
	strs := []string{"<a href='x'>&amp;</a>", "\u2028\u2029", "bad \xff utf-8", "\x00\x1f\b\f", "孩子 \"名\" \\"}
	for i := 0; i < 20000; i++ {
		doc := randomDocument(r, 3, r.Intn(8))
		if i%4 == 0 {
			doc.Set(strs[r.Intn(len(strs))], strs[r.Intn(len(strs))])
		}
		slow, err := marshalSlow(doc)
		require.NoError(t, err)
		fast, ok := fastMarshal(doc)
		require.True(t, ok, "%s", slow)
		require.Equal(t, string(slow), string(fast))
	}

	// Edges it leaves to FerretDB's encoder, which then decides as before: an error for a
	// non-finite double, a panic for duplicate keys.
	for _, doc := range []*types.Document{
		must.NotFail(types.NewDocument("nan", math.NaN())),
		must.NotFail(types.NewDocument("a", must.NotFail(types.NewDocument("inf", math.Inf(1))))),
	} {
		_, ok := fastMarshal(doc)
		assert.False(t, ok)
		_, fastErr := Marshal(doc)
		_, slowErr := marshalSlow(doc)
		require.Error(t, fastErr)
		assert.Equal(t, slowErr.Error(), fastErr.Error())
	}
	dup := must.NotFail(types.NewDocument("a", int32(1), "a", "twice"))
	_, ok := fastMarshal(dup)
	assert.False(t, ok)
	assert.Panics(t, func() { _, _ = marshalSlow(dup) })
	assert.Panics(t, func() { _, _ = Marshal(dup) })
}

func BenchmarkMarshalRegister(b *testing.B) {
	reg := types.MakeArray(30)
	for i := 0; i < 30; i++ {
		reg.Append(must.NotFail(types.NewDocument("childId", types.NewObjectID(), "status", "present", "minutes", int32(40))))
	}
	doc := must.NotFail(types.NewDocument("_id", types.NewObjectID(), "date", "2026-12-03", "register", reg, "version", int32(3)))
	b.Run("fast", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must.NotFail(Marshal(doc))
		}
	})
	b.Run("slow", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must.NotFail(marshalSlow(doc))
		}
	})
}

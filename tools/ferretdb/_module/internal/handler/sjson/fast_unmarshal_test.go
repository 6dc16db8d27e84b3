// Added to FerretDB v1.24.2's sjson package with fast_unmarshal.go (see there); run by
// tests/api/ferretdb-sjson.test.ts together with FerretDB's own sjson tests.

package sjson

import (
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// randomValue returns a value of any type sjson stores, nested up to depth.
func randomValue(r *rand.Rand, depth int) any {
	strs := []string{"", "a", "孩子 1", "quote \" back \\ slash", "tab\tnew\nline", "\u2028", "$k", "<script>", "e\u0301"}
	n := 13
	if depth <= 0 {
		n = 11
	}
	switch r.Intn(n) {
	case 0:
		return strs[r.Intn(len(strs))]
	case 1:
		return int32(r.Int63n(1<<32) - 1<<31)
	case 2:
		return r.Int63() - r.Int63()
	case 3:
		fs := []float64{0, math.Copysign(0, -1), 1.5, -2.25e-300, 1e21, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, r.NormFloat64()}
		return fs[r.Intn(len(fs))]
	case 4:
		return r.Intn(2) == 0
	case 5:
		return time.UnixMilli(r.Int63n(1<<42) - 1<<41)
	case 6:
		var id types.ObjectID
		r.Read(id[:])
		return id
	case 7:
		return types.Null
	case 8:
		return types.Binary{Subtype: types.BinaryGeneric, B: []byte{1, 2, 3}}
	case 9:
		return types.Regex{Pattern: "^a.*", Options: "i"}
	case 10:
		return types.Timestamp(r.Uint64() >> 1)
	case 11:
		return randomDocument(r, depth-1, r.Intn(6))
	default:
		a := types.MakeArray(0)
		for i := r.Intn(5); i > 0; i-- {
			a.Append(randomValue(r, depth-1))
		}
		return a
	}
}

func randomDocument(r *rand.Rand, depth, fields int) *types.Document {
	keys := []string{"_id", "name", "register", "a.b", "é", "x y", "version", "status", "k9"}
	d := must.NotFail(types.NewDocument())
	for i := 0; i < fields; i++ {
		d.Set(keys[r.Intn(len(keys))], randomValue(r, depth))
	}
	return d
}

// TestFastUnmarshalMatchesSlow: for documents of every type, the one-pass decoder either declines
// or returns exactly what FerretDB's own decoder returns; for the app's types it never declines.
func TestFastUnmarshalMatchesSlow(t *testing.T) {
	t.Parallel()

	r := rand.New(rand.NewSource(1))
	taken := 0
	for i := 0; i < 20000; i++ {
		doc := randomDocument(r, 3, r.Intn(8))
		b, err := Marshal(doc)
		require.NoError(t, err)

		slow, err := unmarshalSlow(b)
		require.NoError(t, err)

		fast, ok := fastUnmarshal(b)
		if !ok {
			continue
		}
		taken++
		require.Equal(t, slow, fast, "%s", b)
	}
	assert.Greater(t, taken, 5000)

	// A register-shaped document of the app's types is always taken.
	reg := types.MakeArray(30)
	for i := 0; i < 30; i++ {
		reg.Append(must.NotFail(types.NewDocument("childId", types.NewObjectID(), "status", "present", "minutes", int32(40), "rpe", 6.5)))
	}
	doc := must.NotFail(types.NewDocument("_id", types.NewObjectID(), "date", "2026-12-03", "register", reg, "loggedAt", time.UnixMilli(1700000000000), "notes", types.Null, "version", int64(3), "held", true))
	b, err := Marshal(doc)
	require.NoError(t, err)
	fast, ok := fastUnmarshal(b)
	require.True(t, ok)
	slow, err := unmarshalSlow(b)
	require.NoError(t, err)
	require.Equal(t, slow, fast)
}

// FuzzFastUnmarshal: on any input the one-pass decoder takes, FerretDB's decoder succeeds with the
// same document (`go test -fuzz FuzzFastUnmarshal`).
func FuzzFastUnmarshal(f *testing.F) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 200; i++ {
		b, err := Marshal(randomDocument(r, 2, r.Intn(6)))
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{"$s":{}}`))
	f.Add([]byte(` {"$s":{"p":{"a":{"t":"int"}},"$k":["a"]} , "a" : 1 } `))

	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := fastUnmarshal(b)
		if !ok {
			return
		}
		slow, err := unmarshalSlow(b)
		require.NoError(t, err, "%q", b)
		require.Equal(t, slow, fast, "%q", b)
	})
}

func BenchmarkUnmarshalRegister(b *testing.B) {
	reg := types.MakeArray(30)
	for i := 0; i < 30; i++ {
		reg.Append(must.NotFail(types.NewDocument("childId", types.NewObjectID(), "status", "present", "minutes", int32(40))))
	}
	data := must.NotFail(Marshal(must.NotFail(types.NewDocument("_id", types.NewObjectID(), "date", "2026-12-03", "register", reg, "version", int32(3)))))
	b.Run("fast", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must.NotFail(Unmarshal(data))
		}
	})
	b.Run("slow", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			must.NotFail(unmarshalSlow(data))
		}
	})
}

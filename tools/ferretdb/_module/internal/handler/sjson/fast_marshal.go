// Added to FerretDB v1.24.2's sjson package when the embedded database is built (server/db/ferretdb.ts
// copies tools/ferretdb/_module/ into the patched module; tools/ferretdb/fast-marshal.patch makes
// Marshal try it first). The activegroups project's code, not FerretDB's.

package sjson

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/FerretDB/FerretDB/internal/types"
)

// fastMarshal encodes a document into exactly the bytes Marshal writes, appending to one buffer
// instead of building and copying a buffer per value. It returns ok=false where it would have to
// judge an edge (duplicate keys, non-finite doubles) and Marshal then encodes the document as before.
func fastMarshal(d *types.Document) ([]byte, bool) {
	keys, values := d.Keys(), d.Values()
	if hasDuplicate(keys) {
		return nil, false
	}
	b := make([]byte, 0, 512)
	b = append(b, `{"$s":`...)
	b, ok := appendSchema(b, keys, values)
	if !ok {
		return nil, false
	}
	for i, key := range keys {
		// As Marshal: the top-level keys are written as they are.
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		if b, ok = appendValue(b, values[i]); !ok {
			return nil, false
		}
	}
	return append(b, '}'), true
}

func hasDuplicate(keys []string) bool {
	if len(keys) <= 16 {
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				if keys[i] == keys[j] {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		if _, dup := seen[k]; dup {
			return true
		}
		seen[k] = struct{}{}
	}
	return false
}

// appendString writes s as json.Marshal does (HTML-safe escapes, U+2028/U+2029 escaped, invalid
// UTF-8 replaced); strings that need none of that are copied as they are.
func appendString(b []byte, s string) []byte {
	plain := true
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			plain = false
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if plain && !ascii {
		for i := 0; i+2 < len(s); i++ {
			if s[i] == 0xe2 && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				plain = false
				break
			}
		}
		plain = plain && utf8.ValidString(s)
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // never fails for a string
	return append(b, q...)
}

// appendSchema writes marshalSchemaForDoc's encoding of a document with these fields.
func appendSchema(b []byte, keys []string, values []any) ([]byte, bool) {
	if len(keys) == 0 {
		return append(b, "{}"...), true
	}
	b = append(b, `{"p":{`...)
	for i, key := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, key)
		b = append(b, ':')
		var ok bool
		if b, ok = appendElem(b, values[i]); !ok {
			return nil, false
		}
	}
	b = append(b, `},"$k":[`...)
	for i, key := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, key)
	}
	return append(b, "]}"...), true
}

// appendElem writes marshalElemForSingleValue's encoding of a value's schema.
func appendElem(b []byte, value any) ([]byte, bool) {
	switch v := value.(type) {
	case *types.Document:
		keys, values := v.Keys(), v.Values()
		if hasDuplicate(keys) {
			return nil, false
		}
		b = append(b, `{"t":"object","$s":`...)
		b, ok := appendSchema(b, keys, values)
		if !ok {
			return nil, false
		}
		return append(b, '}'), true
	case *types.Array:
		b = append(b, `{"t":"array","i":[`...)
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			el, err := v.Get(i)
			if err != nil {
				return nil, false
			}
			var ok bool
			if b, ok = appendElem(b, el); !ok {
				return nil, false
			}
		}
		return append(b, "]}"...), true
	case float64:
		return append(b, `{"t":"double"}`...), true
	case string:
		return append(b, `{"t":"string"}`...), true
	case types.ObjectID:
		return append(b, `{"t":"objectId"}`...), true
	case bool:
		return append(b, `{"t":"bool"}`...), true
	case time.Time:
		return append(b, `{"t":"date"}`...), true
	case types.NullType:
		return append(b, `{"t":"null"}`...), true
	case int32:
		return append(b, `{"t":"int"}`...), true
	case int64:
		return append(b, `{"t":"long"}`...), true
	}
	// binData, regex, timestamp: FerretDB's own encoding.
	e, err := marshalElemForSingleValue(value)
	if err != nil {
		return nil, false
	}
	return append(b, e...), true
}

// appendValue writes MarshalSingleValue's encoding of a value.
func appendValue(b []byte, value any) ([]byte, bool) {
	switch v := value.(type) {
	case *types.Document:
		keys, values := v.Keys(), v.Values()
		if hasDuplicate(keys) {
			return nil, false
		}
		b = append(b, '{')
		for i, key := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, key)
			b = append(b, ':')
			var ok bool
			if b, ok = appendValue(b, values[i]); !ok {
				return nil, false
			}
		}
		return append(b, '}'), true
	case *types.Array:
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			el, err := v.Get(i)
			if err != nil {
				return nil, false
			}
			var ok bool
			if b, ok = appendValue(b, el); !ok {
				return nil, false
			}
		}
		return append(b, ']'), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false // json.Marshal refuses them; Marshal reports its error
		}
		f, _ := json.Marshal(v)
		return append(b, f...), true
	case string:
		return appendString(b, v), true
	case types.ObjectID:
		b = append(b, '"')
		b = hex.AppendEncode(b, v[:])
		return append(b, '"'), true
	case bool:
		return strconv.AppendBool(b, v), true
	case time.Time:
		return strconv.AppendInt(b, v.UnixMilli(), 10), true
	case types.NullType:
		return append(b, "null"...), true
	case int32:
		return strconv.AppendInt(b, int64(v), 10), true
	case int64:
		return strconv.AppendInt(b, v, 10), true
	}
	// binData, regex, timestamp: FerretDB's own encoding.
	e, err := MarshalSingleValue(value)
	if err != nil {
		return nil, false
	}
	return append(b, e...), true
}

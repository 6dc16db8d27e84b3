// Added to FerretDB v1.24.2's sjson package when the embedded database is built (server/db/ferretdb.ts
// copies tools/ferretdb/_module/ into the patched module; tools/ferretdb/fast-unmarshal.patch makes
// Unmarshal try it first). The activegroups project's code, not FerretDB's.

package sjson

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/FerretDB/FerretDB/internal/types"
)

// fastUnmarshal decodes a stored document in one pass over its bytes, for the documents
// FerretDB writes itself: the schema first, then the fields in the schema's order, of the
// types the app stores. It returns ok=false for anything else (another layout, binData, regex,
// timestamp, a value it would have to judge invalid), and Unmarshal then decodes the document
// as before, with the same result or the same error.
func fastUnmarshal(data []byte) (doc *types.Document, ok bool) {
	s := scanner{data: data}
	if !s.consume('{') {
		return nil, false
	}
	if key, ok := s.key(); !ok || key != "$s" {
		return nil, false
	}
	sch, ok := s.schema()
	if !ok {
		return nil, false
	}
	doc, ok = s.fields(sch, true)
	if !ok || s.pos != len(s.data) {
		return nil, false
	}
	return doc, true
}

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// consume skips white space and then the byte c, if it is next.
func (s *scanner) consume(c byte) bool {
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// str reads a JSON string as encoding/json would decode it.
func (s *scanner) str() (string, bool) {
	if !s.consume('"') {
		return "", false
	}
	start := s.pos
	plain, ascii := true, true
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw := s.data[start:s.pos]
			s.pos++
			if plain && (ascii || utf8.Valid(raw)) {
				return string(raw), true
			}
			// Escapes or invalid UTF-8: exactly as encoding/json decodes them.
			var v string
			if err := json.Unmarshal(s.data[start-1:s.pos], &v); err != nil {
				return "", false
			}
			return v, true
		case c == '\\':
			plain = false
			s.pos += 2
			continue
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.pos++
	}
	return "", false
}

// key reads an object key and its colon.
func (s *scanner) key() (string, bool) {
	k, ok := s.str()
	return k, ok && s.consume(':')
}

// number reads a literal of the JSON number grammar.
func (s *scanner) number() (string, bool) {
	s.ws()
	start := s.pos
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		return "", false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return "", false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return "", false
		}
	}
	s.pos = i
	return string(d[start:i]), true
}

func (s *scanner) literal(word string) bool {
	s.ws()
	if bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		s.pos += len(word)
		return true
	}
	return false
}

// schema reads {"p": {key: elem, …}, "$k": [key, …]}, members in any order, none other.
func (s *scanner) schema() (*schema, bool) {
	if !s.consume('{') {
		return nil, false
	}
	sch := new(schema)
	if s.consume('}') {
		return sch, true
	}
	for {
		k, ok := s.key()
		if !ok {
			return nil, false
		}
		switch k {
		case "p":
			if sch.Properties != nil || !s.consume('{') {
				return nil, false
			}
			sch.Properties = map[string]*elem{}
			if !s.consume('}') {
				for {
					name, ok := s.key()
					if !ok {
						return nil, false
					}
					if _, dup := sch.Properties[name]; dup {
						return nil, false
					}
					e, ok := s.elem()
					if !ok {
						return nil, false
					}
					sch.Properties[name] = e
					if s.consume('}') {
						break
					}
					if !s.consume(',') {
						return nil, false
					}
				}
			}
		case "$k":
			if sch.Keys != nil || !s.consume('[') {
				return nil, false
			}
			sch.Keys = []string{}
			if !s.consume(']') {
				for {
					name, ok := s.str()
					if !ok {
						return nil, false
					}
					sch.Keys = append(sch.Keys, name)
					if s.consume(']') {
						break
					}
					if !s.consume(',') {
						return nil, false
					}
				}
			}
		default:
			return nil, false
		}
		if s.consume('}') {
			return sch, true
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}

// elem reads a field's schema; types the fast path does not decode are refused.
func (s *scanner) elem() (*elem, bool) {
	if !s.consume('{') {
		return nil, false
	}
	e := new(elem)
	var seen uint8 // members read: 1 "t", 2 "$s", 4 "i"
	for {
		k, ok := s.key()
		if !ok {
			return nil, false
		}
		var bit uint8
		switch k {
		case "t":
			bit = 1
		case "$s":
			bit = 2
		case "i":
			bit = 4
		}
		if seen&bit != 0 {
			return nil, false
		}
		seen |= bit
		switch k {
		case "t":
			t, ok := s.str()
			if !ok {
				return nil, false
			}
			switch elemType(t) {
			case elemTypeObject, elemTypeArray, elemTypeDouble, elemTypeString, elemTypeObjectID,
				elemTypeBool, elemTypeDate, elemTypeNull, elemTypeInt, elemTypeLong:
				e.Type = elemType(t)
			default:
				return nil, false
			}
		case "$s":
			sch, ok := s.schema()
			if !ok {
				return nil, false
			}
			e.Schema = sch
		case "i":
			if !s.consume('[') {
				return nil, false
			}
			e.Items = []*elem{}
			if !s.consume(']') {
				for {
					item, ok := s.elem()
					if !ok {
						return nil, false
					}
					e.Items = append(e.Items, item)
					if s.consume(']') {
						break
					}
					if !s.consume(',') {
						return nil, false
					}
				}
			}
		default: // "o" (regex), "s" (binData) or unknown
			return nil, false
		}
		if s.consume('}') {
			return e, seen&1 != 0
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}

// fields reads the members of an object whose opening brace is already read, in the order of
// sch.Keys; top: a "$s" member came before them.
func (s *scanner) fields(sch *schema, top bool) (*types.Document, bool) {
	if !top && s.consume('}') {
		return types.MakeDocument(0), true // as documentType: an empty object needs no schema
	}
	if sch == nil {
		return nil, false
	}
	doc := types.MakeDocument(len(sch.Keys))
	for i, want := range sch.Keys {
		if (top || i > 0) && !s.consume(',') {
			return nil, false
		}
		k, ok := s.key()
		if !ok || k != want || doc.Has(k) || (top && k == "$s") {
			return nil, false
		}
		v, ok := s.value(sch.Properties[k])
		if !ok {
			return nil, false
		}
		doc.Set(k, v)
	}
	if !s.consume('}') {
		return nil, false
	}
	return doc, true
}

// value reads one value by its schema, as unmarshalSingleValue decodes it.
func (s *scanner) value(e *elem) (any, bool) {
	if s.peek() == 'n' {
		return types.Null, s.literal("null")
	}
	if e == nil {
		return nil, false
	}
	switch e.Type {
	case elemTypeObject:
		if e.Schema == nil || !s.consume('{') {
			return nil, false
		}
		return s.fields(e.Schema, false)
	case elemTypeArray:
		if !s.consume('[') {
			return nil, false
		}
		if s.consume(']') {
			if len(e.Items) != 0 {
				return nil, false
			}
			return types.MakeArray(0), true
		}
		a := types.MakeArray(len(e.Items))
		for i, item := range e.Items {
			if i > 0 && !s.consume(',') {
				return nil, false
			}
			v, ok := s.value(item)
			if !ok {
				return nil, false
			}
			a.Append(v)
		}
		return a, s.consume(']')
	case elemTypeDouble:
		n, ok := s.number()
		if !ok {
			return nil, false
		}
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	case elemTypeString:
		return s.str()
	case elemTypeObjectID:
		h, ok := s.str()
		if !ok || len(h) != 2*types.ObjectIDLen {
			return nil, false
		}
		var id types.ObjectID
		if _, err := hex.Decode(id[:], []byte(h)); err != nil {
			return nil, false
		}
		return id, true
	case elemTypeBool:
		switch s.peek() {
		case 't':
			return true, s.literal("true")
		case 'f':
			return false, s.literal("false")
		}
		return nil, false
	case elemTypeDate, elemTypeLong:
		n, ok := s.number()
		if !ok {
			return nil, false
		}
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return nil, false
		}
		if e.Type == elemTypeDate {
			return time.UnixMilli(i), true
		}
		return i, true
	case elemTypeInt:
		n, ok := s.number()
		if !ok {
			return nil, false
		}
		i, err := strconv.ParseInt(n, 10, 32)
		return int32(i), err == nil
	}
	return nil, false // null (only the literal above), or a type elem() refused
}

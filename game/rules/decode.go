package rules

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The scenario is decoded by hand from yaml.v3 nodes rather than with
// yaml.Unmarshal, so that every value keeps its line number for error
// messages, unknown keys are refused, and every problem of a file is
// reported at once.

// objPos remembers where an object and each of its fields were written.
type objPos struct {
	line   int
	fields map[string]int
	// missing lists the required fields not written (reported once).
	missing []string
}

// decoder decodes a scenario file, collecting every problem with its
// line, and remembers where each object was written.
type decoder struct {
	problems []Problem
	pos      map[any]*objPos // key: pointer to a decoded struct
}

// addf reports a problem at line.
func (d *decoder) addf(line int, format string, args ...any) {
	d.problems = append(d.problems, Problem{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// line returns the line of field name in the struct ptr points to, or the
// line of the struct itself when the field was not written.
func (d *decoder) line(ptr any, field string) int {
	p := d.pos[ptr]
	if p == nil {
		return 0
	}
	if l, ok := p.fields[field]; ok && field != "" {
		return l
	}
	return p.line
}

// has reports whether field name was written in the struct ptr points to.
func (d *decoder) has(ptr any, field string) bool {
	p := d.pos[ptr]
	if p == nil {
		return false
	}
	_, ok := p.fields[field]
	return ok
}

var (
	textType = reflect.TypeOf(Text{})
	exprType = reflect.TypeOf(Expr{})
)

// kindName names what a node holds, for messages: a mapping, a list,
// nothing, or the value quoted.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// decode fills v (addressable) from node n; where names the value in
// messages, as in actions[3].cost.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, where string) {
	n, ok := d.unwrap(n)
	if !ok || d.decodeSpecial(n, v, where) {
		return
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		d.decode(n, p.Elem(), where)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, where)
	case reflect.Slice:
		d.decodeList(n, v, where)
	case reflect.Map:
		d.decodeMap(n, v, where)
	default:
		d.decodeScalar(n, v, where)
	}
}

// unwrap follows aliases and enters a document to the node that holds the
// value; it is false (and told) for an empty document.
func (d *decoder) unwrap(n *yaml.Node) (*yaml.Node, bool) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			d.addf(n.Line, "the file is empty")
			return n, false
		}
		n = n.Content[0]
	}
	return n, true
}

// decodeSpecial decodes the types written in their own way (a text in two
// languages, a strategy preference written as an action id, an
// expression) and reports whether v was one of them.
func (d *decoder) decodeSpecial(n *yaml.Node, v reflect.Value, where string) bool {
	t := v.Type()
	switch {
	case t == textType:
		d.decodeText(n, v, where)
		return true
	case t == strategyItemType && n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		// A preference written as the action's id alone.
		v.Set(reflect.ValueOf(StrategyItem{Action: n.Value}))
		d.pos[v.Addr().Interface()] = &objPos{line: n.Line, fields: map[string]int{"action": n.Line}}
		return true
	case t == exprType:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.addf(n.Line, "%s: expected a number or an expression, found %s", where, kindName(n))
			return true
		}
		v.Set(reflect.ValueOf(Expr{Src: n.Value, line: n.Line}))
		return true
	}
	return false
}

// decodeList fills a slice from a YAML list, each item named where[i].
func (d *decoder) decodeList(n *yaml.Node, v reflect.Value, where string) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n.Line, "%s: expected a list, found %s", where, kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", where, i))
	}
	v.Set(s)
}

// decodeMap fills a map from a YAML mapping, refusing a key given twice.
func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, where string) {
	if n.Kind != yaml.MappingNode {
		d.addf(n.Line, "%s: expected a mapping, found %s", where, kindName(n))
		return
	}
	t := v.Type()
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if m.MapIndex(reflect.ValueOf(k.Value)).IsValid() {
			d.addf(k.Line, "%s: key %q is given twice", where, k.Value)
			continue
		}
		e := reflect.New(t.Elem()).Elem()
		d.decode(val, e, where+"."+k.Value)
		m.SetMapIndex(reflect.ValueOf(k.Value), e)
	}
	v.Set(m)
}

// decodeScalar fills a string, a whole number, a number or a boolean,
// refusing a value of another YAML type.
func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, where string) {
	switch v.Type().Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.addf(n.Line, "%s: expected a word or a sentence, found %s", where, kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			d.addf(n.Line, "%s: expected a whole number, found %s", where, kindName(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
			d.addf(n.Line, "%s: expected a number, found %s", where, kindName(n))
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			d.addf(n.Line, "%s: expected true or false, found %s", where, kindName(n))
			return
		}
		v.SetBool(n.Value == "true")
	default:
		panic("rules: cannot decode " + v.Type().String())
	}
}

// decodeText fills a Text from a mapping {en: ..., fr: ...}, both
// languages required and not empty.
func (d *decoder) decodeText(n *yaml.Node, v reflect.Value, where string) {
	if n.Kind != yaml.MappingNode {
		d.addf(n.Line, "%s: expected a text as {en: ..., fr: ...}, found %s", where, kindName(n))
		return
	}
	var t Text
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if val.Kind != yaml.ScalarNode || val.Tag == "!!null" {
			d.addf(val.Line, "%s.%s: expected a sentence, found %s", where, k.Value, kindName(val))
			continue
		}
		switch k.Value {
		case "en":
			t.EN = strings.TrimSpace(val.Value)
		case "fr":
			t.FR = frenchText(strings.TrimSpace(val.Value))
		default:
			d.addf(k.Line, "%s: unknown language %q (use en and fr)", where, k.Value)
			continue
		}
		seen[k.Value] = true
	}
	if t.EN == "" && !seen["en"] {
		d.addf(n.Line, "%s: missing English text (en)", where)
	} else if t.EN == "" {
		d.addf(n.Line, "%s: the English text (en) is empty", where)
	}
	if t.FR == "" && !seen["fr"] {
		d.addf(n.Line, "%s: missing French translation (fr)", where)
	} else if t.FR == "" {
		d.addf(n.Line, "%s: the French translation (fr) is empty", where)
	}
	v.Set(reflect.ValueOf(t))
}

// fieldInfo is a struct field as the decoder sees it: its index, its
// YAML name, and whether it may be left out.
type fieldInfo struct {
	index    int
	name     string
	optional bool
}

// structFields lists the fields of a struct type that have a YAML name.
func structFields(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		out = append(out, fieldInfo{index: i, name: name, optional: opts == "omitempty"})
	}
	return out
}

// decodeStruct fills a struct from a mapping, remembering the line of
// each field, and reports fields given twice, missing or unknown (a near
// miss as a misspelling).
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, where string) {
	if n.Kind != yaml.MappingNode {
		if where == "" {
			d.addf(n.Line, "expected a mapping, found %s", kindName(n))
		} else {
			d.addf(n.Line, "%s: expected a mapping, found %s", where, kindName(n))
		}
		return
	}
	fields := structFields(v.Type())
	pos := &objPos{line: n.Line, fields: map[string]int{}}
	var unknown []*yaml.Node
	d.pos[v.Addr().Interface()] = pos
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		var fi *fieldInfo
		for j := range fields {
			if fields[j].name == k.Value {
				fi = &fields[j]
			}
		}
		if fi == nil {
			unknown = append(unknown, k)
			continue
		}
		if _, dup := pos.fields[k.Value]; dup {
			d.addf(k.Line, "%s: field %q is given twice", where, k.Value)
			continue
		}
		pos.fields[k.Value] = val.Line
		sub := where + "." + k.Value
		if where == "" {
			sub = k.Value
		}
		d.decode(val, v.Field(fi.index), sub)
	}
	prefix := where + ": "
	if where == "" {
		prefix = ""
	}
	for _, f := range fields {
		if _, ok := pos.fields[f.name]; !ok && !f.optional {
			// A misspelt field is one mistake, said once: not also as a
			// missing field, nor by the checks of its value.
			pos.missing = append(pos.missing, f.name)
			if i := slices.IndexFunc(unknown, func(k *yaml.Node) bool { return nearMiss(k.Value, f.name) }); i >= 0 {
				d.addf(unknown[i].Line, "%sunknown field %q: did you mean %q?", prefix, unknown[i].Value, f.name)
				unknown = slices.Delete(unknown, i, i+1)
				continue
			}
			d.addf(n.Line, "%smissing field %q", prefix, f.name)
		}
	}
	for _, k := range unknown {
		names := make([]string, len(fields))
		for j, f := range fields {
			names[j] = f.name
		}
		if i := slices.IndexFunc(fields, func(f fieldInfo) bool { return nearMiss(k.Value, f.name) }); i >= 0 {
			d.addf(k.Line, "%sunknown field %q: did you mean %q?", prefix, k.Value, fields[i].name)
			continue
		}
		d.addf(k.Line, "%sunknown field %q (expected one of %s)", prefix, k.Value, strings.Join(names, ", "))
	}
}

// nearMiss reports whether a field name looks like a typo of another: the
// same but for case, or one or two letters off.
func nearMiss(typed, name string) bool {
	if strings.EqualFold(typed, name) {
		return true
	}
	a, b := []rune(strings.ToLower(typed)), []rune(strings.ToLower(name))
	if len(a) < 3 || len(b) < 3 {
		return false
	}
	// Levenshtein distance, one row at a time.
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)] <= 2
}

package rules

import (
	"cmp"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong in a scenario file.
type Problem struct {
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// String formats the problem as path:line: reason (path: reason when the
// problem concerns the whole file, as a file that cannot be read).
func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.Path, p.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Reason)
}

// LoadError lists every problem found in a scenario file, in line order.
type LoadError struct {
	Problems []Problem
}

// Error returns one problem per line, each as path:line: reason.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads the scenario file at p in fsys, then decodes, compiles and
// validates it. A bad file gives a *LoadError listing every problem.
func Load(fsys fs.FS, p string) (*Scenario, error) {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, &LoadError{Problems: []Problem{{Path: p, Line: 0, Reason: err.Error()}}}
	}
	return Parse(p, data)
}

// LoadAll loads every .yaml file at the root of fsys and returns the
// scenarios by id. It fails if any file is bad or two files share an id.
func LoadAll(fsys fs.FS) (map[string]*Scenario, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string]*Scenario{}
	from := map[string]string{}
	var problems []Problem
	for _, name := range names {
		s, err := Load(fsys, name)
		if err != nil {
			le, ok := err.(*LoadError)
			if !ok {
				return nil, err
			}
			problems = append(problems, le.Problems...)
			continue
		}
		if other, dup := from[s.ID]; dup {
			problems = append(problems, Problem{Path: name, Line: 1, Reason: fmt.Sprintf("scenario id %q is already used by %s", s.ID, other)})
			continue
		}
		out[s.ID], from[s.ID] = s, name
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return out, nil
}

// Parse decodes, compiles and validates a scenario from its YAML text; p
// names the file in messages.
func Parse(p string, data []byte) (*Scenario, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &LoadError{Problems: []Problem{yamlProblem(p, err)}}
	}
	d := &decoder{pos: map[any]*objPos{}}
	s := &Scenario{}
	if len(root.Content) == 0 {
		d.addf(1, "the file is empty")
	} else {
		d.decode(&root, reflect.ValueOf(s).Elem(), "")
	}
	// Validation runs even after decoding problems, so that a file shows
	// all of its mistakes at once; missing fields are reported only once.
	if len(root.Content) > 0 && root.Content[0].Kind == yaml.MappingNode {
		v := &validator{d: d, s: s}
		v.run()
	}
	if len(d.problems) > 0 {
		ps := d.problems
		for i := range ps {
			ps[i].Path = p
		}
		slices.SortStableFunc(ps, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), strings.Compare(a.Reason, b.Reason))
		})
		ps = slices.Compact(ps)
		return nil, &LoadError{Problems: ps}
	}
	s.idx.linear = s.linearize()
	return s, nil
}

// yamlProblem turns a yaml syntax error ("yaml: line 3: ...") into a Problem.
func yamlProblem(p string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if _, e := fmt.Sscan(num, &line); e == nil {
				msg = after
			}
		}
	}
	return Problem{Path: p, Line: line, Reason: "YAML syntax: " + msg}
}

package main

import (
	"fmt"
	"io"
	"sort"
	"sync"
)

// Finding is one violation: which layer judged it, where (file or directory), what (object),
// which rule, why.
type Finding struct {
	Layer                        Layer
	Where, Object, Rule, Message string
}

func (f Finding) String() string {
	obj := ""
	if f.Object != "" {
		obj = " " + f.Object + ":"
	}
	return fmt.Sprintf("%s %s:%s [%s] %s", f.Layer, f.Where, obj, f.Rule, f.Message)
}

type Report struct {
	mu       sync.Mutex
	Findings []Finding
	seen     map[string]bool
	// Layers are the layers reported; nil reports every layer.
	Layers Layers
	// Unassigned are rules found without a layer (a bug: see ruleLayers).
	Unassigned []string
	// Notes are what the run could not judge and says so; they do not fail it.
	Notes []string
}

// Note records something the run could not judge about an object.
func (r *Report) Note(o *Obj, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := fmt.Sprintf("%s (cluster %s, Flux Kustomization %s): %s: %s", o.Dir, o.Cluster, o.Owner, o.ID(), msg)
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if !r.seen["note "+n] {
		r.seen["note "+n] = true
		r.Notes = append(r.Notes, n)
	}
}

// Add records a finding of an enabled layer; findings of layers the repository did not opt
// into are dropped here, so a check never needs to know which layers are on.
func (r *Report) Add(where, object, rule, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	layer, known := layerOf(rule)
	if !known {
		r.Unassigned = append(r.Unassigned, rule)
	}
	if r.Layers != nil && !r.Layers[layer] {
		return
	}
	f := Finding{layer, where, object, rule, msg}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[f.String()] {
		return
	}
	r.seen[f.String()] = true
	r.Findings = append(r.Findings, f)
}

func (r *Report) AddObj(o *Obj, rule, msg string) {
	where := o.Dir
	if o.Owner != "" {
		where = fmt.Sprintf("%s (cluster %s, Flux Kustomization %s)", o.Dir, o.Cluster, o.Owner)
	}
	r.Add(where, o.ID(), rule, msg)
}

// Count is the number of findings of one layer.
func (r *Report) Count(l Layer) int {
	n := 0
	for _, f := range r.Findings {
		if f.Layer == l {
			n++
		}
	}
	return n
}

func (r *Report) Print(w io.Writer) {
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].String() < r.Findings[j].String() })
	for _, f := range r.Findings {
		fmt.Fprintln(w, "ERROR", f.String())
	}
	sort.Strings(r.Notes)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "NOTE", n)
	}
}

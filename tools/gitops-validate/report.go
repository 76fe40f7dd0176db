package main

import (
	"fmt"
	"io"
	"sort"
	"sync"
)

// Finding is one violation: where (file or directory), what (object), which rule, why.
type Finding struct {
	Where, Object, Rule, Message string
}

func (f Finding) String() string {
	obj := ""
	if f.Object != "" {
		obj = " " + f.Object + ":"
	}
	return fmt.Sprintf("%s:%s [%s] %s", f.Where, obj, f.Rule, f.Message)
}

type Report struct {
	mu       sync.Mutex
	Findings []Finding
	seen     map[string]bool
}

func (r *Report) Add(where, object, rule, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := Finding{where, object, rule, msg}
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

func (r *Report) Print(w io.Writer) {
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].String() < r.Findings[j].String() })
	for _, f := range r.Findings {
		fmt.Fprintln(w, "ERROR", f.String())
	}
}

package main

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// pinnedProvider is the provider every node a pod spec can schedule on belongs to, or "" when
// the spec allows nodes of several providers, of no known provider, or none at all.
//
// It reads the hard constraints as the scheduler does: the nodeSelector's keys are ANDed with
// each requiredDuringScheduling nodeSelectorTerm, the terms are ORed, the expressions inside a
// term are ANDed, and an empty term matches nothing. A set of requirements lands on provider P
// only when it makes a node carry one of P's detection labels from the registry: a valued label
// (cfke.io/provider=hetzner) with every allowed value naming a provider, a label whose presence
// is enough (instance.hetzner.cloud/provided-by), or a key under one of P's label prefixes
// (k8s.scaleway.com/). NotIn and DoesNotExist never pin: nodes without the label (or with a
// provider added later) still match. The TypeScript twin is
// plugins/multi-provider-common/src/placement/pinnedProvider.ts (conformance/pinned-provider).
func pinnedProvider(ps map[string]any, providers []*Provider) string {
	var base []nodeRequirement
	sel, _, _ := unstructured.NestedStringMap(ps, "nodeSelector")
	for k, v := range sel {
		base = append(base, nodeRequirement{Key: k, Operator: "In", Values: []string{v}})
	}
	terms, _, _ := unstructured.NestedSlice(ps, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	alternatives := [][]nodeRequirement{base}
	if len(terms) > 0 {
		alternatives = nil
		for _, t := range terms {
			tm, _ := t.(map[string]any)
			exprs, _, _ := unstructured.NestedSlice(tm, "matchExpressions")
			fields, _, _ := unstructured.NestedSlice(tm, "matchFields")
			if len(exprs) == 0 && len(fields) == 0 {
				continue // an empty term matches no node
			}
			alt := append([]nodeRequirement(nil), base...)
			for _, e := range exprs {
				alt = append(alt, requirementOf(e))
			}
			alternatives = append(alternatives, alt)
		}
	}
	found := map[string]bool{}
	for _, alt := range alternatives {
		forced, ok := providersForced(alt, providers)
		if !ok {
			continue // this way schedules on no node
		}
		if forced == nil {
			return "" // this way schedules on nodes of any provider
		}
		for p := range forced {
			found[p] = true
		}
	}
	if len(found) != 1 {
		return ""
	}
	for p := range found {
		return p
	}
	return ""
}

type nodeRequirement struct {
	Key      string
	Operator string
	Values   []string
}

func requirementOf(e any) nodeRequirement {
	em, _ := e.(map[string]any)
	r := nodeRequirement{Key: fmt.Sprint(em["key"]), Operator: fmt.Sprint(em["operator"])}
	vals, _ := em["values"].([]any)
	for _, v := range vals {
		r.Values = append(r.Values, fmt.Sprint(v))
	}
	return r
}

// keyDomain is what a set of requirements allows for one label key: absent or not, and which
// values (nil: any value but the excluded ones).
type keyDomain struct {
	absentOK, presentOK bool
	values              map[string]bool
	excluded            map[string]bool
}

// providersForced: the providers a node matching every requirement must belong to (nil: not
// restricted to known providers), and false when no node can match them.
func providersForced(reqs []nodeRequirement, providers []*Provider) (map[string]bool, bool) {
	domains := map[string]*keyDomain{}
	var keys []string
	for _, r := range reqs {
		d := domains[r.Key]
		if d == nil {
			d = &keyDomain{absentOK: true, presentOK: true, excluded: map[string]bool{}}
			domains[r.Key] = d
			keys = append(keys, r.Key)
		}
		switch r.Operator {
		case "In":
			d.absentOK = false
			next := map[string]bool{}
			for _, v := range r.Values {
				if d.values == nil || d.values[v] {
					next[v] = true
				}
			}
			d.values = next
		case "NotIn":
			for _, v := range r.Values {
				d.excluded[v] = true
			}
		case "Exists", "Gt", "Lt":
			d.absentOK = false
		case "DoesNotExist":
			d.presentOK = false
		default:
			return nil, false // the API server rejects an unknown operator
		}
	}
	var forced map[string]bool
	for _, k := range keys {
		d := domains[k]
		allowed := d.allowedValues()
		if d.presentOK && allowed != nil && len(allowed) == 0 {
			d.presentOK = false
		}
		if !d.presentOK && !d.absentOK {
			return nil, false
		}
		if d.absentOK {
			continue
		}
		x := providersOfKey(k, allowed, providers)
		if x == nil {
			continue
		}
		if forced == nil {
			forced = x
			continue
		}
		for p := range forced {
			if !x[p] {
				delete(forced, p)
			}
		}
	}
	if forced != nil && len(forced) == 0 {
		return nil, false // the requirements name two providers at once: no node is both
	}
	return forced, true
}

func (d *keyDomain) allowedValues() map[string]bool {
	if d.values == nil {
		return nil
	}
	out := map[string]bool{}
	for v := range d.values {
		if !d.excluded[v] {
			out[v] = true
		}
	}
	return out
}

// providersOfKey: the providers a node carrying label key (with one of values; nil: any value)
// belongs to, or nil when such a node may belong to any provider.
func providersOfKey(key string, values map[string]bool, providers []*Provider) map[string]bool {
	valued := false
	for _, p := range providers {
		for _, l := range p.Spec.Detection.Labels {
			if l.Key == key && l.Value != nil {
				valued = true
			}
		}
	}
	if valued {
		if values == nil {
			return nil
		}
		out := map[string]bool{}
		for v := range values {
			owner := ""
			for _, p := range providers {
				for _, l := range p.Spec.Detection.Labels {
					if l.Key == key && l.Value != nil && *l.Value == v {
						owner = p.Metadata.Name
					}
				}
			}
			if owner == "" {
				return nil // a value no provider uses: a node of another provider
			}
			out[owner] = true
		}
		return out
	}
	for _, p := range providers {
		for _, l := range p.Spec.Detection.Labels {
			if l.Key == key && l.Value == nil {
				return map[string]bool{p.Metadata.Name: true}
			}
		}
		for _, prefix := range p.Spec.Detection.LabelPrefixes {
			if strings.HasPrefix(key, prefix) {
				return map[string]bool{p.Metadata.Name: true}
			}
		}
	}
	return nil
}

package main

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fluxcd/pkg/envsubst"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Flux's postBuild substitution as kustomize-controller runs it (fluxcd/pkg/kustomize
// SubstituteVariables), with one difference forced by the validator's boundary: it reads
// ConfigMaps from the tree instead of the cluster, and never reads a Secret. Variables a Secret
// named in substituteFrom would supply are unknown here: the fields they land in are recorded
// on the object (Obj.Unchecked), their schema errors are not reported, and a note says so.

// substituteDisabled is the label or annotation value that opts an object out.
const (
	substituteKey      = "kustomize.toolkit.fluxcd.io/substitute"
	substituteDisabled = "disabled"
)

// varNameRe is the rule Flux applies to variable names before substituting.
var varNameRe = regexp.MustCompile(`^[_[:alpha:]][_[:alpha:][:digit:]]*$`)

// secretVarMarker stands in for a variable only a Secret could supply; it survives YAML as a
// plain scalar and names the variable.
const secretVarMarker = "__cloudlab_unknown_from_secret__"

// PostBuild is one Flux Kustomization's substitution, resolved against its cluster.
type PostBuild struct {
	// Vars are the known variables: substituteFrom ConfigMaps in order, then spec.postBuild.substitute.
	Vars map[string]string
	// Secrets are the Secrets named in substituteFrom (namespace/name), never read.
	Secrets []string
	// Always is substituteStrategy Always: substitute even without variables.
	Always bool
	// Problems are references that do not resolve and invalid variable names.
	Problems []string
}

// resolvePostBuild reads ks's postBuild against the cluster's objects; nil without postBuild.
func resolvePostBuild(ks *unstructured.Unstructured, configMap func(ns, name string) *unstructured.Unstructured) *PostBuild {
	pb, found, _ := unstructured.NestedMap(ks.Object, "spec", "postBuild")
	if !found {
		return nil
	}
	p := &PostBuild{Vars: map[string]string{}}
	if s, _ := pb["substituteStrategy"].(string); s == "Always" {
		p.Always = true
	}
	refs, _ := pb["substituteFrom"].([]any)
	for i, r := range refs {
		ref, _ := r.(map[string]any)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		optional, _ := ref["optional"].(bool)
		// Flux looks the reference up in the Kustomization's own namespace.
		id := ks.GetNamespace() + "/" + name
		switch kind {
		case "Secret":
			p.Secrets = append(p.Secrets, id)
		case "ConfigMap":
			cm := configMap(ks.GetNamespace(), name)
			if cm == nil {
				if !optional {
					p.Problems = append(p.Problems, fmt.Sprintf("postBuild.substituteFrom[%d]: ConfigMap %s is not defined in the tree, and Flux fails the build when it is missing (optional: true allows that)", i, id))
				}
				continue
			}
			data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
			for k, v := range data {
				p.Vars[k] = strings.ReplaceAll(v, "\n", "")
			}
		default:
			p.Problems = append(p.Problems, fmt.Sprintf("postBuild.substituteFrom[%d]: kind %q (want ConfigMap or Secret)", i, kind))
		}
	}
	inline, _, _ := unstructured.NestedStringMap(pb, "substitute")
	for k, v := range inline {
		p.Vars[k] = strings.ReplaceAll(v, "\n", "")
	}
	var names []string
	for k := range p.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !varNameRe.MatchString(k) {
			p.Problems = append(p.Problems, fmt.Sprintf("postBuild: variable name %q is invalid, Flux requires %s", k, varNameRe))
		}
	}
	return p
}

// runs tells whether Flux substitutes at all: with at least one variable (a Secret is assumed to
// supply one), or with substituteStrategy Always.
func (p *PostBuild) runs() bool {
	return p != nil && len(p.Problems) == 0 && (len(p.Vars) > 0 || len(p.Secrets) > 0 || p.Always)
}

// Substituted is one object after substitution, and the fields whose value a Secret supplies.
type Substituted struct {
	U *unstructured.Unstructured
	// Unknown maps a field path (as schema errors print it) to the variables it holds.
	Unknown map[string][]string
}

// Apply substitutes one object as Flux does: the object's YAML, with `${var}` expressions
// expanded (undefined variables become empty, `${var:=default}` takes its default, `$${var}`
// stays literal), parsed again. An object labelled or annotated substitute: disabled is kept.
func (p *PostBuild) Apply(u *unstructured.Unstructured) (*Substituted, error) {
	if !p.runs() || u.GetLabels()[substituteKey] == substituteDisabled || u.GetAnnotations()[substituteKey] == substituteDisabled {
		return &Substituted{U: u}, nil
	}
	text, err := yaml.Marshal(u.Object)
	if err != nil {
		return nil, err
	}
	out, err := envsubst.Eval(string(text), func(name string) (string, bool) {
		if v, ok := p.Vars[name]; ok {
			return v, true
		}
		if len(p.Secrets) > 0 {
			return secretVarMarker + name + secretVarMarker, true
		}
		return "", true
	})
	if err != nil {
		return nil, fmt.Errorf("postBuild substitution: %w", err)
	}
	j, err := yaml.YAMLToJSON([]byte(out))
	if err != nil {
		return nil, fmt.Errorf("postBuild substitution yields invalid YAML: %w", err)
	}
	res := &unstructured.Unstructured{}
	if err := res.UnmarshalJSON(j); err != nil {
		return nil, fmt.Errorf("postBuild substitution yields an invalid object: %w", err)
	}
	s := &Substituted{U: res}
	if len(p.Secrets) > 0 {
		s.Unknown = map[string][]string{}
		collectMarkers(res.Object, "", s.Unknown)
	}
	return s, nil
}

var markerRe = regexp.MustCompile(regexp.QuoteMeta(secretVarMarker) + `([_[:alnum:]]+)` + regexp.QuoteMeta(secretVarMarker))

// collectMarkers records the fields holding a Secret's variable and writes `${var}` back into
// them, so that what is shown reads as the tree does.
func collectMarkers(v any, path string, into map[string][]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = collectMarkers(e, strings.TrimPrefix(path+"."+k, "."), into)
		}
	case []any:
		for i, e := range x {
			x[i] = collectMarkers(e, path+"["+strconv.Itoa(i)+"]", into)
		}
	case string:
		ms := markerRe.FindAllStringSubmatch(x, -1)
		for _, m := range ms {
			into[path] = append(into[path], m[1])
		}
		if len(ms) > 0 {
			return markerRe.ReplaceAllString(x, "$${$1}")
		}
	}
	return v
}

// unchecked tells whether a schema message is about a field a Secret's variable supplies.
func (o *Obj) unchecked(msg string) bool {
	for field := range o.Unchecked {
		if strings.HasPrefix(msg, field+":") || strings.HasPrefix(msg, field+" ") || strings.HasPrefix(msg, field+"[") {
			return true
		}
	}
	return false
}

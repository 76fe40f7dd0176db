package main

import (
	"fmt"
	"io"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Render writes every object Flux would apply to the cluster as one YAML stream, grouped by
// Flux Kustomization in dependsOn order (the root flux-system objects first), so that a
// plain `kubectl apply` (the lab) sees dependencies before dependants.
func Render(c *Cluster, w io.Writer) error {
	byOwner := map[string][]*Obj{}
	for _, o := range c.Objs {
		byOwner[o.Owner] = append(byOwner[o.Owner], o)
	}
	deps := map[string][]string{}
	var names []string
	for _, k := range c.ofKind("Kustomization") {
		if k.U.GetAPIVersion() != "kustomize.toolkit.fluxcd.io/v1" {
			continue
		}
		names = append(names, k.U.GetName())
		ds, _, _ := unstructured.NestedSlice(k.U.Object, "spec", "dependsOn")
		for _, d := range ds {
			deps[k.U.GetName()] = append(deps[k.U.GetName()], fmt.Sprint(d.(map[string]any)["name"]))
		}
	}
	sort.Strings(names)
	order := []string{"flux-system"}
	done := map[string]bool{"flux-system": true}
	var visit func(n string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		for _, d := range deps[n] {
			visit(d)
		}
		order = append(order, n)
	}
	for _, n := range names {
		visit(n)
	}
	for _, owner := range order {
		for _, o := range byOwner[owner] {
			b, err := yaml.Marshal(o.U.Object)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "---\n# cloudlab.dev/flux-kustomization: %s (%s)\n%s", owner, o.Dir, b)
		}
	}
	return nil
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Cluster is everything Flux would apply to one cluster: the root sync directory plus the
// output of every Flux Kustomization it defines.
type Cluster struct {
	Name string
	// Dir is the repository-relative folder Flux syncs for the cluster.
	Dir  string
	Objs []*Obj
}

func (c *Cluster) find(kind, ns, name string) *Obj {
	for _, o := range c.Objs {
		if o.U.GetKind() == kind && o.U.GetNamespace() == ns && o.U.GetName() == name {
			return o
		}
	}
	return nil
}

func (c *Cluster) ofKind(kind string) []*Obj {
	var out []*Obj
	for _, o := range c.Objs {
		if o.U.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func str(u *unstructured.Unstructured, path ...string) string {
	v, _, _ := unstructured.NestedString(u.Object, path...)
	return v
}

// renderCluster renders a cluster's folder (rootDir, repository-relative; the cluster is named
// after it) and follows its Flux Kustomizations, checking that every path exists and builds and
// every sourceRef/dependsOn resolves.
func renderCluster(root, rootDir string, b *Builder, rep *Report) *Cluster {
	name := filepath.Base(rootDir)
	c := &Cluster{Name: name, Dir: rootDir}
	objs, err := b.Build(rootDir)
	if err != nil {
		rep.Add(rootDir, "", "kustomize-build", fmtErr(err))
		return c
	}
	for _, u := range objs {
		c.Objs = append(c.Objs, &Obj{U: u, Dir: rootDir, Cluster: name, Owner: "flux-system"})
	}
	ks := c.ofKind("Kustomization")
	sort.Slice(ks, func(i, j int) bool { return ks[i].U.GetName() < ks[j].U.GetName() })
	names := map[string]*Obj{}
	for _, k := range ks {
		names[k.U.GetNamespace()+"/"+k.U.GetName()] = k
	}
	var applied []fluxApplied
	own := ownSource(ks, rootDir)
	for _, k := range ks {
		// sourceRef
		ref := sourceRefOf(k.U)
		if c.find(ref.Kind, ref.Namespace, ref.Name) == nil {
			rep.AddObj(k, "flux-sourceref", fmt.Sprintf("sourceRef %s does not resolve in cluster %s", ref, name))
		}
		// dependsOn
		deps, _, _ := unstructured.NestedSlice(k.U.Object, "spec", "dependsOn")
		for _, d := range deps {
			dm := d.(map[string]any)
			dns, _ := dm["namespace"].(string)
			if dns == "" {
				dns = k.U.GetNamespace()
			}
			if names[dns+"/"+fmt.Sprint(dm["name"])] == nil {
				rep.AddObj(k, "flux-dependson", fmt.Sprintf("dependsOn %s/%v does not resolve to a Flux Kustomization", dns, dm["name"]))
			}
		}
		// Another source's spec.path is a folder of that source, not of this repository: building
		// it from here would validate files Flux never applies (docs/adr/1013).
		if !ref.ownedBy(own) {
			rep.Note(k, fmt.Sprintf("not followed: source %s is not this repository (%s); spec.path %s is neither built nor validated",
				ref, own.describe(), str(k.U, "spec", "path")))
			continue
		}
		// path, inside the artifact
		path, inRoot := fluxPathInRoot(str(k.U, "spec", "path"))
		if !inRoot {
			rep.AddObj(k, "flux-path", fmt.Sprintf("path %s leaves the source artifact's root: Flux resolves it inside the root (securejoin), so it would build another folder than the one written", str(k.U, "spec", "path")))
			continue
		}
		if path == rootDir {
			continue
		}
		if st, err := os.Stat(filepath.Join(root, path)); err != nil || !st.IsDir() {
			rep.AddObj(k, "flux-path", fmt.Sprintf("path ./%s does not exist", path))
			continue
		}
		built, err := b.BuildFlux(path, k.U)
		if err != nil {
			rep.AddObj(k, "flux-path", fmt.Sprintf("path ./%s does not build as Flux builds it: %s", path, fmtErr(err)))
			continue
		}
		applied = append(applied, fluxApplied{k, path, built})
	}
	// postBuild reads ConfigMaps any Kustomization of the cluster applies, so it runs once all
	// are built; commonMetadata is set when applying, after it.
	configMap := func(ns, name string) *unstructured.Unstructured {
		if o := c.find("ConfigMap", ns, name); o != nil {
			return o.U
		}
		for _, a := range applied {
			for _, u := range a.objs {
				if u.GetKind() == "ConfigMap" && u.GetNamespace() == ns && u.GetName() == name {
					return u
				}
			}
		}
		return nil
	}
	for _, a := range applied {
		pb := resolvePostBuild(a.ks.U, configMap)
		if pb != nil {
			for _, p := range pb.Problems {
				rep.AddObj(a.ks, "flux-postbuild", p)
			}
		}
		var objs []*Obj
		for _, u := range a.objs {
			o := &Obj{U: u, Dir: a.path, Cluster: name, Owner: a.ks.U.GetName()}
			if pb.runs() {
				s, err := pb.Apply(u)
				if err != nil {
					rep.AddObj(o, "flux-postbuild", fmtErr(err))
					continue
				}
				o.U, o.Unchecked = s.U, s.Unknown
				for _, field := range sortedKeys(s.Unknown) {
					rep.Note(o, fmt.Sprintf("%s holds %s, unknown: from Secret %s (never read); its schema is not checked",
						field, varList(s.Unknown[field]), strings.Join(pb.Secrets, ", ")))
				}
			}
			objs = append(objs, o)
		}
		us := make([]*unstructured.Unstructured, len(objs))
		for i, o := range objs {
			us[i] = o.U
		}
		applyCommonMetadata(a.ks.U, us)
		c.Objs = append(c.Objs, objs...)
	}
	checkDependencyCycles(ks, rep)
	checkDuplicates(c, rep)
	return c
}

// fluxApplied is what one Flux Kustomization builds, before postBuild and commonMetadata.
type fluxApplied struct {
	ks   *Obj
	path string
	objs []*unstructured.Unstructured
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func varList(vars []string) string {
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = "${" + v + "}"
	}
	return strings.Join(out, ", ")
}

func checkDependencyCycles(ks []*Obj, rep *Report) {
	deps := map[string][]string{}
	for _, k := range ks {
		ds, _, _ := unstructured.NestedSlice(k.U.Object, "spec", "dependsOn")
		for _, d := range ds {
			deps[k.U.GetName()] = append(deps[k.U.GetName()], fmt.Sprint(d.(map[string]any)["name"]))
		}
	}
	state := map[string]int{}
	var visit func(n string) bool
	visit = func(n string) bool {
		if state[n] == 1 {
			return true
		}
		if state[n] == 2 {
			return false
		}
		state[n] = 1
		for _, d := range deps[n] {
			if visit(d) {
				return true
			}
		}
		state[n] = 2
		return false
	}
	for _, k := range ks {
		if visit(k.U.GetName()) {
			rep.AddObj(k, "flux-dependson", "dependsOn forms a cycle")
			return
		}
	}
}

// checkDuplicates: two Flux Kustomizations applying the same object fight over it.
func checkDuplicates(c *Cluster, rep *Report) {
	seen := map[string]*Obj{}
	for _, o := range c.Objs {
		id := o.U.GetAPIVersion() + " " + o.ID()
		if prev, ok := seen[id]; ok && prev.Owner != o.Owner {
			rep.AddObj(o, "flux-ownership", fmt.Sprintf("also applied by Flux Kustomization %s (%s)", prev.Owner, prev.Dir))
		}
		seen[id] = o
	}
}

// sourceRef is a Flux Kustomization's spec.sourceRef, the namespace defaulted to the
// Kustomization's and the kind to GitRepository (as the TypeScript reader reads it).
type sourceRef struct{ Kind, Namespace, Name string }

func (r sourceRef) String() string { return r.Kind + " " + r.Namespace + "/" + r.Name }

func sourceRefOf(k *unstructured.Unstructured) sourceRef {
	r := sourceRef{str(k, "spec", "sourceRef", "kind"), str(k, "spec", "sourceRef", "namespace"), str(k, "spec", "sourceRef", "name")}
	if r.Kind == "" {
		r.Kind = "GitRepository"
	}
	if r.Namespace == "" {
		r.Namespace = k.GetNamespace()
	}
	return r
}

// ownSource is the source of this repository in a cluster: what its sync Kustomization (the one
// whose spec.path is the cluster's folder) reads. Nil when the cluster has none; then every
// GitRepository counts as this repository, as in the TypeScript reader.
func ownSource(ks []*Obj, rootDir string) *sourceRef {
	for _, k := range ks {
		if p, ok := fluxPathInRoot(str(k.U, "spec", "path")); ok && p == rootDir {
			r := sourceRefOf(k.U)
			return &r
		}
	}
	return nil
}

// ownedBy says whether the source is this repository's own.
func (r sourceRef) ownedBy(own *sourceRef) bool {
	if own == nil {
		return r.Kind == "GitRepository"
	}
	return r == *own
}

func (own *sourceRef) describe() string {
	if own == nil {
		return "the cluster has no sync Kustomization; a GitRepository is taken for it"
	}
	return "the cluster's sync Kustomization reads " + own.String()
}

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
	for _, k := range ks {
		path := strings.TrimPrefix(filepath.Clean(str(k.U, "spec", "path")), "./")
		// sourceRef
		sk, sn := str(k.U, "spec", "sourceRef", "kind"), str(k.U, "spec", "sourceRef", "name")
		sns := str(k.U, "spec", "sourceRef", "namespace")
		if sns == "" {
			sns = k.U.GetNamespace()
		}
		if c.find(sk, sns, sn) == nil {
			rep.AddObj(k, "flux-sourceref", fmt.Sprintf("sourceRef %s %s/%s does not resolve in cluster %s", sk, sns, sn, name))
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
		// path
		if path == rootDir {
			continue
		}
		if st, err := os.Stat(filepath.Join(root, path)); err != nil || !st.IsDir() {
			rep.AddObj(k, "flux-path", fmt.Sprintf("path ./%s does not exist", path))
			continue
		}
		built, err := b.Build(path)
		if err != nil {
			rep.AddObj(k, "flux-path", fmt.Sprintf("path ./%s does not build: %s", path, fmtErr(err)))
			continue
		}
		for _, u := range built {
			c.Objs = append(c.Objs, &Obj{U: u, Dir: path, Cluster: name, Owner: k.U.GetName()})
		}
	}
	checkDependencyCycles(ks, rep)
	checkDuplicates(c, rep)
	return c
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

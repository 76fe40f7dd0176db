// Command gitops-validate renders and validates the Cloudlab GitOps tree: kustomize builds,
// Flux references, Kubernetes 1.36 + upstream CRD schemas, provider-registry rules, VSO and
// RBAC scoping, and the cluster's ValidatingAdmissionPolicies (evaluated with the API
// server's own CEL code). See docs/gitops/index.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	root := flag.String("repo", ".", "repository root")
	crds := flag.String("crds", "", "CRD/OpenAPI cache (default <repo>/.cache/crds)")
	fix := flag.Bool("fix", false, "rewrite generated files (policy parameters) from the provider registry")
	fixtures := flag.String("fixtures", "", "directory of bad-manifest fixtures that must each be rejected")
	third := flag.Bool("third-provider", false, "also prove that a third provider is data + overlays (temporary copy)")
	timings := flag.Bool("timings", false, "print the time of each phase on stderr (`timing <phase> <ms>`)")
	serveMode := flag.Bool("serve", false, "keep the schemas loaded and validate one tree per request line on stdin (see serve.go)")
	flag.Parse()
	if *crds == "" {
		*crds = filepath.Join(*root, ".cache", "crds")
	}
	if *serveMode {
		if err := serve(*crds, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "gitops-validate:", err)
			os.Exit(2)
		}
		return
	}
	start := time.Now()
	v, err := NewValidator(*root, *crds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gitops-validate:", err)
		os.Exit(2)
	}
	if *fix {
		if err := v.WriteGenerated(); err != nil {
			fmt.Fprintln(os.Stderr, "gitops-validate:", err)
			os.Exit(2)
		}
	}
	rep := v.Run()
	if *timings {
		v.Timings.Print(os.Stderr)
	}
	rep.Print(os.Stdout)
	failed := len(rep.Findings) > 0
	fmt.Println(v.Summary(rep))
	if *fixtures != "" && !failed {
		results := v.RunFixtures(*fixtures)
		passed := 0
		for _, r := range results {
			if r.OK {
				passed++
				fmt.Printf("fixture ok   %s: rejected with %q\n", r.Name, r.Expect)
			} else {
				fmt.Printf("fixture FAIL %s: expected a finding containing %q, got:\n%s\n", r.Name, r.Expect, r.Got)
			}
		}
		fmt.Printf("fixtures: %d passed, %d failed\n", passed, len(results)-passed)
		failed = passed != len(results)
	}
	if *third && !failed {
		msg, err := RunThirdProvider(*root, *crds)
		switch {
		case err != nil:
			fmt.Println("third-provider FAIL:", err)
			failed = true
		case msg != "":
			fmt.Println("third-provider FAIL:", msg)
			failed = true
		default:
			fmt.Println("third-provider ok: providers/ovhcloud.yaml + overlays validate clean in a temporary copy (after --fix regenerated the policy parameters)")
		}
	}
	fmt.Printf("gitops-validate: done in %.2fs\n", time.Since(start).Seconds())
	if failed {
		os.Exit(1)
	}
}

type Validator struct {
	Root     string
	Registry *Registry
	Schemas  *Schemas
	Builder  *Builder
	Clusters []*Cluster
	DirCount int
	ObjCount int
	Timings  Timings
}

func NewValidator(root, crdDir string) (*Validator, error) {
	var t Timings
	reg, err := loadRegistry(filepath.Join(root, "providers"))
	if err != nil {
		return nil, err
	}
	t.Mark("registry")
	sch, err := loadSchemas(crdDir)
	if err != nil {
		return nil, err
	}
	t.Mark("schemas-load")
	return &Validator{Root: root, Registry: reg, Schemas: sch, Builder: newBuilder(root), Timings: t}, nil
}

// newValidatorWithSchemas is NewValidator with schemas loaded and builds cached by earlier
// runs (serve mode).
func newValidatorWithSchemas(root string, sch *Schemas, builds *BuildCache) (*Validator, error) {
	reg, err := loadRegistry(filepath.Join(root, "providers"))
	if err != nil {
		return nil, err
	}
	b := newBuilder(root)
	b.shared = builds
	v := &Validator{Root: root, Registry: reg, Schemas: sch, Builder: b}
	v.Timings.Mark("")
	return v, nil
}

// Summary is the last line of a run's report.
func (v *Validator) Summary(rep *Report) string {
	return fmt.Sprintf("gitops-validate: %d clusters, %d kustomization dirs, %d objects validated, %d findings",
		len(v.Clusters), v.DirCount, v.ObjCount, len(rep.Findings))
}

// Run performs every check on the tree and returns the findings.
func (v *Validator) Run() *Report {
	rep := &Report{}
	v.Timings.Mark("")
	checkFileConventions(v.Root, rep)
	v.Timings.Mark("conventions")
	dirs, comps, err := kustomizationDirs(v.Root)
	if err != nil {
		rep.Add("gitops", "", "kustomize-build", err.Error())
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, d := range dirs {
		if comps[d] {
			continue
		}
		v.DirCount++
		wg.Add(1)
		go func(d string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := v.Builder.Build(d); err != nil {
				rep.Add(d, "", "kustomize-build", fmtErr(err))
			}
		}(d)
	}
	wg.Wait()
	v.Timings.Mark("kustomize-builds")
	clusterDirs, _ := filepath.Glob(filepath.Join(v.Root, "gitops", "clusters", "*"))
	sort.Strings(clusterDirs)
	v.Clusters = nil
	for _, cd := range clusterDirs {
		if st, err := os.Stat(cd); err != nil || !st.IsDir() {
			continue
		}
		c := renderCluster(v.Root, filepath.Base(cd), v.Builder, rep)
		v.Clusters = append(v.Clusters, c)
		v.Timings.Mark("render-" + c.Name)
		v.checkCluster(c, rep, nil, "")
	}
	v.checkGenerated(rep)
	return rep
}

func (v *Validator) checkCluster(c *Cluster, rep *Report, extra []*Obj, username string) {
	all := c
	if extra != nil {
		// As Flux would apply them: an extra object replaces the tree's object of the same identity.
		objs := []*Obj{}
		for _, o := range c.Objs {
			if !slices.ContainsFunc(extra, func(x *Obj) bool { return sameIdentity(x, o) }) {
				objs = append(objs, o)
			}
		}
		all = &Cluster{Name: c.Name, Objs: append(objs, extra...)}
	}
	for _, o := range all.Objs {
		if extra != nil && !containsObj(extra, o) {
			continue
		}
		v.ObjCount++
		for _, m := range v.Schemas.Validate(o.U) {
			rep.AddObj(o, "schema", m)
		}
	}
	if extra == nil {
		v.Timings.Mark("schemas-" + c.Name)
	}
	checkReferences(all, rep)
	checkNamespaces(all, rep)
	checkStorage(all, v.Registry, rep)
	checkVSO(all, rep)
	checkPortalRBAC(all, rep)
	checkPortalOperatorRBAC(all, rep)
	if extra == nil {
		v.Timings.Mark("rules-" + c.Name)
		checkPolicies(c, rep, nil, "system:serviceaccount:flux-system:kustomize-controller")
		v.Timings.Mark("policies-" + c.Name)
	} else {
		checkPolicies(all, rep, nil, username)
	}
}

func sameIdentity(a, b *Obj) bool {
	return a.U.GetAPIVersion() == b.U.GetAPIVersion() && a.U.GetKind() == b.U.GetKind() &&
		a.U.GetNamespace() == b.U.GetNamespace() && a.U.GetName() == b.U.GetName()
}

func containsObj(list []*Obj, o *Obj) bool {
	for _, x := range list {
		if x == o {
			return true
		}
	}
	return false
}

const paramsFile = "gitops/platform/policy/configmap.yaml"

func (v *Validator) renderParams() string {
	eu := v.Registry.EURegions()
	var keys []string
	for k := range eu {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(`---
# yaml-language-server: $schema=https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/configmap-v1.json
# GENERATED from providers/*.yaml by ` + "`bash scripts/validate-gitops.sh --fix`" + ` - do not edit.
# The validator fails when this drifts from the registry.
# Keys are the EU regions where data may reside; values name the provider and country.
apiVersion: v1
kind: ConfigMap
metadata:
  name: cloudlab-eu-regions
  namespace: cloudlab-system
data:
`)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, eu[k])
	}
	return b.String()
}

func (v *Validator) WriteGenerated() error {
	return os.WriteFile(filepath.Join(v.Root, paramsFile), []byte(v.renderParams()), 0o644)
}

func (v *Validator) checkGenerated(rep *Report) {
	got, err := os.ReadFile(filepath.Join(v.Root, paramsFile))
	if err != nil || string(got) != v.renderParams() {
		rep.Add(paramsFile, "ConfigMap cloudlab-system/cloudlab-eu-regions", "generated-in-sync",
			"out of sync with the EU regions of providers/*.yaml: run `bash scripts/validate-gitops.sh --fix`")
	}
}

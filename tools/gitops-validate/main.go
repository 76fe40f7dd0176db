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
	layers := flag.String("layers", "", "layers to run, overriding "+ConfigFile+": comma-separated of correctness (always), platform, conventions")
	adopter := flag.String("adopter", "", "also prove the layers on an adopter's repository fixture (see adopter.go)")
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
	v, err := newValidator(*root, *crds, *layers)
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
	if *adopter != "" && !failed {
		msg, err := RunAdopterProof(*adopter, v.Schemas)
		switch {
		case err != nil:
			fmt.Println("adopter FAIL:", err)
			failed = true
		case msg.Failure != "":
			fmt.Println("adopter FAIL:", msg.Failure)
			failed = true
		default:
			fmt.Println("adopter ok:", msg.Summary)
		}
	}
	fmt.Printf("gitops-validate: done in %.2fs\n", time.Since(start).Seconds())
	if failed {
		os.Exit(1)
	}
}

type Validator struct {
	Root   string
	Config *Config
	// Layers are the layers this run reports (Config resolved against the repository).
	Layers Layers
	// Ignore is what source-controller leaves out of the artifact.
	Ignore *Ignore
	// Registry is nil where the repository has no provider registry.
	Registry *Registry
	Schemas  *Schemas
	Builder  *Builder
	Clusters []*Cluster
	DirCount int
	ObjCount int
	Timings  Timings
}

// NewValidator validates the repository at root with the layers its ConfigFile opts into.
func NewValidator(root, crdDir string) (*Validator, error) {
	return newValidator(root, crdDir, "")
}

// newValidator is NewValidator with the -layers flag's override ("" keeps the configuration).
func newValidator(root, crdDir, layersFlag string) (*Validator, error) {
	var t Timings
	v, err := setupValidator(root, layersFlag)
	if err != nil {
		return nil, err
	}
	t.Mark("registry")
	sch, err := loadSchemas(crdDir)
	if err != nil {
		return nil, err
	}
	t.Mark("schemas-load")
	v.Schemas, v.Timings = sch, t
	return v, nil
}

// newValidatorWithSchemas is NewValidator with schemas loaded and builds cached by earlier
// runs (serve mode).
func newValidatorWithSchemas(root string, sch *Schemas, builds *BuildCache) (*Validator, error) {
	v, err := setupValidator(root, "")
	if err != nil {
		return nil, err
	}
	v.Schemas = sch
	v.Builder.shared = builds
	v.Timings.Mark("")
	return v, nil
}

// setupValidator reads the repository's configuration, decides its layers and loads what they
// need: the provider registry only where the platform or convention layers read it.
func setupValidator(root, layersFlag string) (*Validator, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(root)
	if err != nil {
		return nil, err
	}
	if layersFlag != "" {
		if err := cfg.applyLayersFlag(layersFlag); err != nil {
			return nil, err
		}
	}
	regDir := filepath.Join(root, cfg.Registry)
	st, statErr := os.Stat(regDir)
	present := statErr == nil && st.IsDir()
	layers := layersFor(cfg, present)
	var reg *Registry
	switch {
	case present && (layers[LayerPlatform] || layers[LayerConventions]):
		if reg, err = loadRegistry(regDir); err != nil {
			return nil, err
		}
	case layers[LayerPlatform]:
		return nil, fmt.Errorf("the platform layer is on (%s) but the provider registry %s does not exist: set `registry:` in %s or turn the platform layer off",
			cfg.describePlatform(), cfg.Registry, ConfigFile)
	}
	ign, err := loadIgnore(root, cfg.Tree)
	if err != nil {
		return nil, err
	}
	return &Validator{Root: root, Config: cfg, Layers: layers, Ignore: ign, Registry: reg, Builder: newBuilder(root, ign)}, nil
}

// newReport is an empty report of this run's layers.
func (v *Validator) newReport() *Report { return &Report{Layers: v.Layers} }

// Summary is the last line of a run's report.
func (v *Validator) Summary(rep *Report) string {
	return fmt.Sprintf("gitops-validate: %d clusters, %d kustomization dirs, %d objects validated, %d findings (correctness %d, platform %d, conventions %d; layers on: %s)",
		len(v.Clusters), v.DirCount, v.ObjCount, len(rep.Findings),
		rep.Count(LayerCorrectness), rep.Count(LayerPlatform), rep.Count(LayerConventions), v.Layers)
}

// Run performs every check on the tree and returns the findings.
func (v *Validator) Run() *Report {
	rep := v.newReport()
	v.Timings.Mark("")
	if v.Layers[LayerConventions] {
		checkFileConventions(v.Root, v.Config, v.Ignore, rep)
		v.Timings.Mark("conventions")
	}
	dirs, comps, err := kustomizationDirs(v.Root, v.Config, v.Ignore)
	if err != nil {
		rep.Add(v.Config.Tree, "", "kustomize-build", err.Error())
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
	clusterDirs, _ := filepath.Glob(filepath.Join(v.Root, v.Config.Clusters, "*"))
	sort.Strings(clusterDirs)
	v.Clusters = nil
	for _, cd := range clusterDirs {
		if st, err := os.Stat(cd); err != nil || !st.IsDir() {
			continue
		}
		rel, _ := filepath.Rel(v.Root, cd)
		if v.Ignore.Ignored(rel, true) {
			continue
		}
		c := renderCluster(v.Root, rel, v.Builder, rep)
		v.Clusters = append(v.Clusters, c)
		v.Timings.Mark("render-" + c.Name)
		v.checkCluster(c, rep, nil, "")
	}
	if v.Registry != nil {
		v.checkGenerated(rep)
	}
	if len(v.Clusters) == 0 {
		rep.Add(v.Config.Clusters, "", "flux-path", "no cluster folder here: set `clusters:` in "+ConfigFile+" to the folder whose sub-folders Flux syncs")
	}
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
		all = &Cluster{Name: c.Name, Dir: c.Dir, Objs: append(objs, extra...)}
	}
	for _, o := range all.Objs {
		if extra != nil && !containsObj(extra, o) {
			continue
		}
		v.ObjCount++
		for _, m := range v.Schemas.Validate(o.U) {
			if !o.unchecked(m) {
				rep.AddObj(o, "schema", m)
			}
		}
	}
	if extra == nil {
		v.Timings.Mark("schemas-" + c.Name)
	}
	checkReferences(all, rep)
	checkNamespaces(all, rep)
	if v.Registry != nil {
		checkStorage(all, v.Registry, rep)
	}
	checkVSO(all, rep)
	checkSecretContracts(all, v.Config.BootstrapSecrets, rep)
	checkVaultConnectionTLS(all, rep)
	checkPortalRBAC(all, rep)
	checkPortalOperatorRBAC(all, rep)
	checkNetworkPolicies(all, rep)
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

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConfigDefaultsDescribeABootstrappedRepository(t *testing.T) {
	c, err := loadConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Tree != "." || c.Clusters != "clusters" || c.Registry != "providers" || c.Platform != platformAuto || c.Conventions {
		t.Fatalf("defaults: %+v", c)
	}
	if l := layersFor(c, false); l.String() != "correctness" {
		t.Fatalf("no registry, no configuration: layers %s", l)
	}
	if l := layersFor(c, true); l.String() != "correctness, platform" {
		t.Fatalf("registry present: layers %s", l)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	head := "apiVersion: cloudlab.dev/v1alpha1\nkind: ValidationConfig\n"
	for name, tc := range map[string]struct{ body, want string }{
		"unknown key":       {head + "layer: {}\n", "layer: unknown key"},
		"unknown layer key": {head + "layers: {style: true}\n", "layers.style: unknown key"},
		"platform value":    {head + "layers: {platform: sometimes}\n", "layers.platform: want auto, on or off"},
		"conventions type":  {head + "layers: {conventions: yes please}\n", "layers.conventions: want true or false"},
		"leaves repository": {head + "tree: ../elsewhere\n", "tree: \"../elsewhere\" leaves the repository"},
		"absolute registry": {head + "registry: /etc\n", "registry: \"/etc\" leaves the repository"},
		"exclude entry":     {head + "exclude: [ok, 3]\n", "exclude[1]: want a folder"},
		"bootstrap entry":   {head + "bootstrapSecrets: [storage-system/hcloud, hcloud]\n", "bootstrapSecrets[1]: want namespace/name"},
		"bootstrap type":    {head + "bootstrapSecrets: storage-system/hcloud\n", "bootstrapSecrets: want a list"},
		"kind":              {"apiVersion: cloudlab.dev/v1alpha1\nkind: Config\n", "kind: want ValidationConfig"},
		"apiVersion":        {"kind: ValidationConfig\n", "apiVersion: want cloudlab.dev/v1alpha1"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{ConfigFile: tc.body})
			_, err := loadConfig(root)
			if err == nil || !strings.Contains(err.Error(), ConfigFile+": "+tc.want) {
				t.Fatalf("want an error containing %q, got %v", ConfigFile+": "+tc.want, err)
			}
		})
	}
}

func TestLayersFlagOverridesTheConfiguration(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{ConfigFile: "apiVersion: cloudlab.dev/v1alpha1\nkind: ValidationConfig\nlayers: {platform: on, conventions: true}\n"})
	c, err := loadConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.applyLayersFlag("correctness"); err != nil {
		t.Fatal(err)
	}
	if l := layersFor(c, true); l.String() != "correctness" {
		t.Fatalf("-layers correctness with a registry: %s", l)
	}
	if err := c.applyLayersFlag("conventions,platform"); err != nil || layersFor(c, false).String() != "correctness, platform, conventions" {
		t.Fatalf("-layers conventions,platform: %v %s", err, layersFor(c, false))
	}
	if err := c.applyLayersFlag("style"); err == nil || !strings.Contains(err.Error(), `-layers: unknown layer "style"`) {
		t.Fatalf("want an error naming the flag and the layer, got %v", err)
	}
}

func TestPlatformOnWithoutRegistryIsRefused(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{ConfigFile: "apiVersion: cloudlab.dev/v1alpha1\nkind: ValidationConfig\nlayers: {platform: on}\n"})
	_, err := setupValidator(root, "")
	if err == nil || !strings.Contains(err.Error(), "platform layer is on (set by .cloudlab/validate.yaml layers.platform) but the provider registry providers does not exist") {
		t.Fatalf("got %v", err)
	}
}

func TestReportDropsFindingsOfLayersNotOn(t *testing.T) {
	rep := &Report{Layers: Layers{LayerCorrectness: true}}
	rep.Add("a", "", "file-conventions", "style")
	rep.Add("a", "", "storage-registry", "platform")
	rep.Add("a", "", "schema", "kept")
	rep.Add("a", "", "policy some-policy", "kept")
	if len(rep.Findings) != 2 || rep.Count(LayerCorrectness) != 2 {
		t.Fatalf("findings: %v", rep.Findings)
	}
	if got := rep.Findings[0].String(); !strings.HasPrefix(got, "correctness a: [schema]") {
		t.Fatalf("a finding names its layer first: %s", got)
	}
	rep.Add("a", "", "no-such-rule", "x")
	if len(rep.Unassigned) != 1 {
		t.Fatal("a rule without a layer must be recorded as unassigned")
	}
}

// Every rule the repository's run and its bad fixtures produce has a layer.
func TestEveryRuleHasALayer(t *testing.T) {
	v := newRepoValidator(t)
	rep := v.Run()
	results := v.RunFixtures(filepath.Join(v.Root, "gitops", "tests", "fixtures", "bad"))
	seen := map[string]bool{}
	for _, r := range results {
		for _, line := range strings.Split(r.Got, "\n") {
			if i := strings.Index(line, " ["); i >= 0 {
				if j := strings.Index(line[i:], "]"); j > 0 {
					seen[line[i+2:i+j]] = true
				}
			}
		}
	}
	if len(seen) < 15 {
		t.Fatalf("expected the fixtures to exercise most rules, saw %v", seen)
	}
	for rule := range seen {
		if _, ok := layerOf(rule); !ok {
			t.Errorf("rule %q has no layer (ruleLayers)", rule)
		}
	}
	if len(rep.Unassigned) > 0 {
		t.Errorf("rules without a layer: %v", rep.Unassigned)
	}
}

func TestGeneratedKustomizationFollowsFlux(t *testing.T) {
	root := t.TempDir()
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"
	writeFiles(t, root, map[string]string{
		"c/a.yaml":                      strings.Replace(cm, "%s", "a", 1),
		"c/nested/b.yml":                strings.Replace(cm, "%s", "b", 1),
		"c/README.md":                   "not YAML, not listed",
		"c/.sops.yaml":                  "creation_rules: []\n",
		"c/app/kustomization.yaml":      "resources: [x.yaml]\n",
		"c/app/x.yaml":                  strings.Replace(cm, "%s", "x", 1),
		"c/app/not-listed.yaml":         strings.Replace(cm, "%s", "hidden", 1),
		"c/drafts/broken.yaml":          "this: [is not",
		"c/.github/workflows/ci.yaml":   "on: push\n",
		".sourceignore":                 "# drafts are not applied\nc/drafts/\n",
		"d/kustomization.yaml/keep.txt": "a folder named like the file is not a kustomization",
	})
	ign, err := loadIgnore(root, ".")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := generateKustomization(root, "c", ign)
	if err != nil {
		t.Fatal(err)
	}
	var k struct{ Resources []string }
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(k.Resources, ","); got != "a.yaml,app,nested/b.yml" {
		t.Fatalf("resources: %s", got)
	}
	if hasKustomization(filepath.Join(root, "d")) {
		t.Fatal("a folder named kustomization.yaml is not a kustomization file")
	}
	// The build sees the generated file without it being written.
	objs, err := newBuilder(root, ign).Build("c")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.GetName())
	}
	if strings.Join(names, ",") != "a,x,b" {
		t.Fatalf("built %v", names)
	}
	if _, err := os.Stat(filepath.Join(root, "c", "kustomization.yaml")); !os.IsNotExist(err) {
		t.Fatal("the generated kustomization must not be written into the tree")
	}
	// Without the ignore file the broken draft is Flux's error too, naming the file.
	os.Remove(filepath.Join(root, ".sourceignore"))
	ign, _ = loadIgnore(root, ".")
	if _, err := generateKustomization(root, "c", ign); err == nil || !strings.Contains(err.Error(), "c/drafts/broken.yaml: not Kubernetes YAML") {
		t.Fatalf("want the draft refused by name, got %v", err)
	}
}

func TestAdopterRepositoryIsJudgedOnItsLayers(t *testing.T) {
	v := newRepoValidator(t)
	res, err := RunAdopterProof(filepath.Join(v.Root, "tools", "gitops-validate", "testdata", "adopter"), v.Schemas)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failure != "" {
		t.Fatal(res.Failure)
	}
	t.Log(res.Summary)
}

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// FixtureResult: a bad manifest must be rejected with a finding containing Expect.
type FixtureResult struct {
	Name, Expect, Got string
	OK                bool
}

var headerRe = regexp.MustCompile(`(?m)^# (expect|user|cluster): (.+)$`)

// RunFixtures adds each fixture file's objects to a rendered cluster (default: lab) as if
// Flux applied them, and requires a finding containing the file's `# expect:` text.
// Run only after the repository itself validated clean, so every finding is the fixture's.
func (v *Validator) RunFixtures(dir string) []FixtureResult {
	dir, _ = filepath.Abs(dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var out []FixtureResult
	for _, f := range files {
		raw, err := os.ReadFile(f)
		name, _ := filepath.Rel(v.Root, f)
		r := FixtureResult{Name: name}
		if err != nil {
			r.Got = err.Error()
			out = append(out, r)
			continue
		}
		hdr := map[string]string{"cluster": "lab", "user": "system:serviceaccount:flux-system:kustomize-controller"}
		for _, m := range headerRe.FindAllStringSubmatch(string(raw), -1) {
			hdr[m[1]] = strings.TrimSpace(m[2])
		}
		r.Expect = hdr["expect"]
		var cluster *Cluster
		for _, c := range v.Clusters {
			if c.Name == hdr["cluster"] {
				cluster = c
			}
		}
		var extra []*Obj
		for _, doc := range strings.Split(string(raw), "\n---") {
			j, err := yaml.YAMLToJSON([]byte(doc))
			u := &unstructured.Unstructured{}
			if err != nil || string(j) == "null" || u.UnmarshalJSON(j) != nil {
				continue
			}
			extra = append(extra, &Obj{U: u, Dir: name, Cluster: hdr["cluster"], Owner: "fixture"})
		}
		if r.Expect == "" || cluster == nil || len(extra) == 0 {
			r.Got = "fixture needs `# expect:`, objects, and an existing `# cluster:`"
			out = append(out, r)
			continue
		}
		rep := v.newReport()
		v.checkCluster(cluster, rep, extra, hdr["user"])
		var got []string
		for _, f := range rep.Findings {
			got = append(got, "  "+f.String())
			if strings.Contains(f.String(), r.Expect) {
				r.OK = true
			}
		}
		r.Got = strings.Join(got, "\n")
		if r.Got == "" {
			r.Got = "  (no findings: the manifest was accepted)"
		}
		out = append(out, r)
	}
	return out
}

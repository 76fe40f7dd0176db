package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// copyValidatedTree copies what the validator reads (Config.Folders) into a temporary root.
func copyValidatedTree(t *testing.T, root string) string {
	t.Helper()
	dst := t.TempDir()
	cfg, err := loadConfig(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range cfg.Folders() {
		if err := os.CopyFS(filepath.Join(dst, d), os.DirFS(filepath.Join(root, d))); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func findingStrings(rep *Report) []string {
	var out []string
	for _, f := range rep.Findings {
		// Paths are the same relative ones in both runs; only the tree root differs.
		out = append(out, f.String())
	}
	sort.Strings(out)
	return out
}

// Serve mode reuses schemas and unchanged kustomize builds between trees: its findings must be
// exactly those of a one-shot run, on a clean tree, on a changed tree and for every fixture.
func TestCachedRunsMatchOneShotRuns(t *testing.T) {
	v := newRepoValidator(t)
	crds := filepath.Join(v.Root, ".cache", "crds")
	builds := newBuildCache()
	run := func(root string) (*Validator, []string) {
		cv, err := newValidatorWithSchemas(root, v.Schemas, builds)
		if err != nil {
			t.Fatal(err)
		}
		return cv, findingStrings(cv.Run())
	}
	if _, f := run(v.Root); len(f) > 0 {
		t.Fatalf("repository must validate clean: %v", f)
	}
	first := builds.Misses

	// An identical tree elsewhere: every build reused, still clean, fixtures still rejected.
	same := copyValidatedTree(t, v.Root)
	cv, f := run(same)
	if len(f) > 0 || builds.Hits != first || builds.Misses != first {
		t.Fatalf("identical copy: findings %v, %d reused of %d", f, builds.Hits, first)
	}
	for _, r := range cv.RunFixtures(filepath.Join(v.Root, "gitops", "tests", "fixtures", "bad")) {
		if !r.OK {
			t.Errorf("fixture %s accepted with cached builds: %s", r.Name, r.Got)
		}
	}

	// Changed trees: a base that no longer builds, an overlay patch, a new resource file.
	edits := map[string]func(root string) error{
		"missing resource": func(root string) error {
			p := filepath.Join(root, "gitops", "apps", "pihole", "base", "kustomization.yaml")
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, []byte(strings.Replace(string(raw), "resources:\n", "resources:\n  - gone.yaml\n", 1)), 0o644)
		},
		"bad field in a base file": func(root string) error {
			dir := filepath.Join(root, "gitops", "apps", "pihole", "base")
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() == "kustomization.yaml" {
					continue
				}
				p := filepath.Join(dir, e.Name())
				raw, _ := os.ReadFile(p)
				if strings.Contains(string(raw), "kind: Service\n") {
					return os.WriteFile(p, []byte(strings.Replace(string(raw), "spec:\n", "spec:\n  bogusField: 1\n", 1)), 0o644)
				}
			}
			return os.ErrNotExist
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			changed := copyValidatedTree(t, v.Root)
			if err := edit(changed); err != nil {
				t.Fatal(err)
			}
			_, cached := run(changed)
			fresh, err := NewValidator(changed, crds)
			if err != nil {
				t.Fatal(err)
			}
			want := findingStrings(fresh.Run())
			if len(want) == 0 {
				t.Fatal("the edit should make the tree invalid")
			}
			if strings.Join(cached, "\n") != strings.Join(want, "\n") {
				t.Fatalf("cached run:\n%s\none-shot run:\n%s", strings.Join(cached, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// The serve protocol: one JSON line in, one JSON line out, output as a one-shot run prints it.
func TestServeProtocol(t *testing.T) {
	root, _ := filepath.Abs("../..")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	go func() { _ = serve(filepath.Join(root, ".cache", "crds"), inR, outW); outW.Close() }()
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 64*1024), 8<<20)
	ask := func(line string) serveResponse {
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatal(err)
		}
		if !sc.Scan() {
			t.Fatal("no answer")
		}
		var r serveResponse
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := ask("not json"); r.Error == "" {
		t.Fatal("a bad request must get an error")
	}
	r := ask(`{"repo": "` + root + `"}`)
	if r.Error != "" || r.Findings != 0 || !strings.Contains(r.Output, "0 findings") {
		t.Fatalf("clean tree: %+v", r)
	}
	if r2 := ask(`{"repo": "` + root + `"}`); r2.Timings["builds-run"] != 0 || r2.Timings["builds-reused"] == 0 {
		t.Fatalf("second run of the same tree should reuse every build: %v", r2.Timings)
	}
	inW.Close()
}

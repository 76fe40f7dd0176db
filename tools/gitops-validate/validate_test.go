package main

import (
	"path/filepath"
	"testing"
)

// These tests run the same checks as scripts/validate-gitops.sh; they need the CRD cache
// (bash scripts/fetch-crds.sh).
func newRepoValidator(t *testing.T) *Validator {
	t.Helper()
	root, _ := filepath.Abs("../..")
	v, err := NewValidator(root, filepath.Join(root, ".cache", "crds"))
	if err != nil {
		t.Fatalf("%v (run bash scripts/fetch-crds.sh first)", err)
	}
	return v
}

func TestRepositoryValidates(t *testing.T) {
	v := newRepoValidator(t)
	rep := v.Run()
	for _, f := range rep.Findings {
		t.Error(f.String())
	}
	if len(v.Clusters) < 2 || v.ObjCount == 0 {
		t.Fatalf("expected at least two rendered clusters with objects, got %d clusters, %d objects", len(v.Clusters), v.ObjCount)
	}
}

func TestBadFixturesAreRejected(t *testing.T) {
	v := newRepoValidator(t)
	if rep := v.Run(); len(rep.Findings) > 0 {
		t.Fatalf("repository must validate clean first: %v", rep.Findings)
	}
	results := v.RunFixtures(filepath.Join(v.Root, "gitops", "tests", "fixtures", "bad"))
	if len(results) < 10 {
		t.Fatalf("expected the fixture set, found %d", len(results))
	}
	for _, r := range results {
		t.Run(filepath.Base(r.Name), func(t *testing.T) {
			if !r.OK {
				t.Errorf("expected a finding containing %q, got:\n%s", r.Expect, r.Got)
			}
		})
	}
}

func TestThirdProviderIsDataAndOverlays(t *testing.T) {
	v := newRepoValidator(t)
	msg, err := RunThirdProvider(v.Root, filepath.Join(v.Root, ".cache", "crds"))
	if err != nil {
		t.Fatal(err)
	}
	if msg != "" {
		t.Fatal(msg)
	}
}

func TestResourceOf(t *testing.T) {
	for kind, want := range map[string]string{"Pod": "pods", "NetworkPolicy": "networkpolicies", "Ingress": "ingresses", "StorageClass": "storageclasses"} {
		if got := resourceOf(kind); got != want {
			t.Errorf("resourceOf(%s) = %s, want %s", kind, got, want)
		}
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// registryVector is one case of conformance/registry, the vectors the TypeScript loader
// (plugins/multi-provider-node) runs as well.
type registryVector struct {
	Description string   `json:"description"`
	Providers   []string `json:"providers"`
	Error       *struct {
		File     string `json:"file"`
		Contains string `json:"contains"`
	} `json:"error"`
}

func TestRegistryConformance(t *testing.T) {
	root, _ := filepath.Abs("../../conformance/registry")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		cases++
		t.Run(d.Name(), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(root, d.Name(), "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want registryVector
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			reg, err := loadRegistry(filepath.Join(root, d.Name(), "providers"))
			if want.Error != nil {
				if err == nil {
					t.Fatalf("%s: want an error, got %d providers", want.Description, len(reg.Providers))
				}
				if !strings.Contains(err.Error(), want.Error.File) || !strings.Contains(err.Error(), want.Error.Contains) {
					t.Fatalf("%s: error %q does not name %q and %q", want.Description, err, want.Error.File, want.Error.Contains)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", want.Description, err)
			}
			var got []string
			for _, p := range reg.Providers {
				got = append(got, p.Metadata.Name)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want.Providers, ",") {
				t.Fatalf("%s: providers %v, want %v", want.Description, got, want.Providers)
			}
		})
	}
	if cases == 0 {
		t.Fatal("no conformance vectors found")
	}
}

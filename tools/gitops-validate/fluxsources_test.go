package main

import (
	"strings"
	"testing"
)

// conformance/flux-sources: which Flux Kustomizations are read from this repository. The
// TypeScript reader runs the same vectors (-node src/tree/readFluxTree.sources.test.ts).
func TestConformanceFluxSources(t *testing.T) {
	var v struct {
		Cases []struct {
			Name           string
			Cluster        string
			Files          map[string]string
			Kustomizations []struct {
				Name     string
				Followed bool
				Source   string
			}
		}
	}
	loadVectors(t, "flux-sources/cases.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, c.Files)
			ign, _ := loadIgnore(root, ".")
			rep := &Report{}
			cl := renderCluster(root, c.Cluster, newBuilder(root, ign), rep)
			for _, k := range c.Kustomizations {
				var notes []string
				for _, n := range rep.Notes {
					if strings.Contains(n, "Flux Kustomization flux-system): Kustomization flux-system/"+k.Name+":") {
						notes = append(notes, n)
					}
				}
				built := 0
				for _, o := range cl.Objs {
					if o.Owner == k.Name {
						built++
					}
				}
				for _, f := range rep.Findings {
					if f.Rule == "flux-path" && strings.Contains(f.Object, "/"+k.Name) {
						t.Errorf("%s: a path finding for what is not built here: %s", k.Name, f)
					}
				}
				if k.Followed {
					if len(notes) != 0 || built == 0 {
						t.Errorf("%s: want followed (objects built, no note), got %d objects, notes %v", k.Name, built, notes)
					}
					continue
				}
				want := "not followed: source " + k.Source + " is not this repository"
				if len(notes) != 1 || !strings.Contains(notes[0], want) || built != 0 {
					t.Errorf("%s: want one note %q and nothing built, got %d objects, notes %v", k.Name, want, built, notes)
				}
			}
		})
	}
}

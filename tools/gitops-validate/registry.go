package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// Provider is the subset of providers/<name>.yaml (cloudlab.dev/v1alpha1 Provider) the
// validator needs. The registry is the single source of truth: nothing here is hard-coded.
type Provider struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Regions []struct {
			Name    string   `json:"name"`
			Country string   `json:"country"`
			EU      bool     `json:"eu"`
			Zones   []string `json:"zones"`
		} `json:"regions"`
		Storage struct {
			CSIDriver     string `json:"csiDriver"`
			TopologyKey   string `json:"topologyKey"`
			TopologyLevel string `json:"topologyLevel"`
			MinVolumeSize string `json:"minVolumeSize"`
			Classes       []struct {
				Name          string `json:"name"`
				ReclaimPolicy string `json:"reclaimPolicy"`
			} `json:"classes"`
		} `json:"storage"`
	} `json:"spec"`
	file string
}

// Registry indexes the providers by name, storage class and CSI driver.
type Registry struct {
	Providers []*Provider
	byClass   map[string]*Provider
	byDriver  map[string]*Provider
}

func loadRegistry(dir string) (*Registry, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) == 0 {
		return nil, fmt.Errorf("no provider files in %s", dir)
	}
	r := &Registry{byClass: map[string]*Provider{}, byDriver: map[string]*Provider{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p := &Provider{file: f}
		if err := yaml.Unmarshal(b, p); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if p.Kind != "Provider" || p.APIVersion != "cloudlab.dev/v1alpha1" {
			return nil, fmt.Errorf("%s: not a cloudlab.dev/v1alpha1 Provider", f)
		}
		if _, err := resource.ParseQuantity(p.Spec.Storage.MinVolumeSize); err != nil {
			return nil, fmt.Errorf("%s: minVolumeSize: %w", f, err)
		}
		r.Providers = append(r.Providers, p)
		r.byDriver[p.Spec.Storage.CSIDriver] = p
		for _, c := range p.Spec.Storage.Classes {
			r.byClass[c.Name] = p
		}
	}
	sort.Slice(r.Providers, func(i, j int) bool { return r.Providers[i].Metadata.Name < r.Providers[j].Metadata.Name })
	return r, nil
}

// EURegions maps every EU region name to "<provider>/<country>".
func (r *Registry) EURegions() map[string]string {
	out := map[string]string{}
	for _, p := range r.Providers {
		for _, reg := range p.Spec.Regions {
			if reg.EU {
				out[reg.Name] = p.Metadata.Name + "/" + reg.Country
			}
		}
	}
	return out
}

// EUTopologyValues are the values of the provider's CSI topology key that are inside the EU.
func (p *Provider) EUTopologyValues() map[string]bool {
	out := map[string]bool{}
	for _, reg := range p.Spec.Regions {
		if !reg.EU {
			continue
		}
		if p.Spec.Storage.TopologyLevel == "zone" {
			for _, z := range reg.Zones {
				out[z] = true
			}
		} else {
			out[reg.Name] = true
		}
	}
	return out
}

func (p *Provider) MinSize() resource.Quantity {
	return resource.MustParse(p.Spec.Storage.MinVolumeSize)
}

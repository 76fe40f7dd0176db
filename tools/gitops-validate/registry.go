package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
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
		// Detection: the node labels that say a node belongs to this provider (see pinning.go).
		Detection struct {
			Labels []struct {
				Key   string  `json:"key"`
				Value *string `json:"value"`
			} `json:"labels"`
			LabelPrefixes []string `json:"labelPrefixes"`
		} `json:"detection"`
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
			WholeGiB      bool   `json:"wholeGiB"`
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

// registryFile matches the registry's files: both spellings of the YAML extension, as the
// TypeScript loader (@cloudlab/plugin-multi-provider-node) reads them.
func registryFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// loadRegistry reads every Provider document of the registry directory (not recursive; files in
// name order, several documents per file allowed, documents of other kinds ignored). It answers
// the shared vectors in conformance/registry as the TypeScript loader does; errors name the
// file and the field.
func loadRegistry(dir string) (*Registry, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("provider registry %s is not a directory: %w", dir, err)
	}
	r := &Registry{byClass: map[string]*Provider{}, byDriver: map[string]*Provider{}}
	for _, e := range entries {
		if !e.Type().IsRegular() || !registryFile(e.Name()) {
			continue
		}
		f := filepath.Join(dir, e.Name())
		providers, err := readProviderFile(f)
		if err != nil {
			return nil, fmt.Errorf("provider registry %s: %w", f, err)
		}
		for _, p := range providers {
			for _, o := range r.Providers {
				if o.Metadata.Name == p.Metadata.Name {
					return nil, fmt.Errorf("provider registry %s: provider %s is already defined in %s", f, p.Metadata.Name, o.file)
				}
			}
			r.Providers = append(r.Providers, p)
			r.byDriver[p.Spec.Storage.CSIDriver] = p
			for _, c := range p.Spec.Storage.Classes {
				r.byClass[c.Name] = p
			}
		}
	}
	if len(r.Providers) == 0 {
		return nil, fmt.Errorf("provider registry %s defines no provider (expected *.yaml or *.yml files of kind Provider)", dir)
	}
	sort.Slice(r.Providers, func(i, j int) bool { return r.Providers[i].Metadata.Name < r.Providers[j].Metadata.Name })
	return r, nil
}

// readProviderFile returns the Provider documents of one registry file.
func readProviderFile(f string) ([]*Provider, error) {
	b, err := os.ReadFile(f)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var out []*Provider
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("invalid YAML: %w", err)
		}
		if head.Kind != "Provider" {
			continue
		}
		p := &Provider{file: f}
		if err := yaml.Unmarshal(doc, p); err != nil {
			return nil, fmt.Errorf("Provider document %d: %w", index, err)
		}
		if p.APIVersion != "cloudlab.dev/v1alpha1" {
			return nil, fmt.Errorf("Provider document %d is invalid at apiVersion: want cloudlab.dev/v1alpha1, got %q", index, p.APIVersion)
		}
		if p.Metadata.Name == "" {
			return nil, fmt.Errorf("Provider document %d is invalid at metadata.name: required", index)
		}
		if p.Spec.Storage.MinVolumeSize != "" {
			if _, err := parseQuantity(p.Spec.Storage.MinVolumeSize); err != nil {
				return nil, fmt.Errorf("Provider document %d is invalid at spec.storage.minVolumeSize: %w", index, err)
			}
		}
		out = append(out, p)
	}
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

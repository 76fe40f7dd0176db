package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// Schemas validates objects against the Kubernetes OpenAPI v3 documents (built-in kinds)
// and the upstream CRDs (custom kinds), both fetched by scripts/fetch-crds.sh. Both go
// through the apiextensions-apiserver validator and pruning algorithm, i.e. the code the
// API server runs for custom resources; built-in schemas are converted to that form.
type Schemas struct {
	native    map[string]map[string]any // component name -> schema (refs unresolved)
	nativeGVK map[schema.GroupVersionKind]string
	crd       map[schema.GroupVersionKind]*apiextensions.JSONSchemaProps
	crdScope  map[schema.GroupVersionKind]bool // namespaced?

	mu       sync.Mutex
	compiled map[schema.GroupVersionKind]*compiledSchema
}

type compiledSchema struct {
	validator  apiservervalidation.SchemaValidator
	structural *structuralschema.Structural
	err        error
}

func loadSchemas(crdDir string) (*Schemas, error) {
	s := &Schemas{native: map[string]map[string]any{}, nativeGVK: map[schema.GroupVersionKind]string{},
		crd: map[schema.GroupVersionKind]*apiextensions.JSONSchemaProps{}, crdScope: map[schema.GroupVersionKind]bool{},
		compiled: map[schema.GroupVersionKind]*compiledSchema{}}
	specs, _ := filepath.Glob(filepath.Join(crdDir, "kubernetes-openapi", "*.json"))
	if len(specs) == 0 {
		return nil, fmt.Errorf("no Kubernetes OpenAPI v3 documents in %s/kubernetes-openapi: run scripts/fetch-crds.sh", crdDir)
	}
	for _, f := range specs {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Components struct {
				Schemas map[string]map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for name, sch := range doc.Components.Schemas {
			s.native[name] = sch
			gvks, _ := sch["x-kubernetes-group-version-kind"].([]any)
			for _, g := range gvks {
				m := g.(map[string]any)
				s.nativeGVK[schema.GroupVersionKind{Group: m["group"].(string), Version: m["version"].(string), Kind: m["kind"].(string)}] = name
			}
		}
	}
	crds, _ := filepath.Glob(filepath.Join(crdDir, "*", "*.yaml"))
	for _, f := range crds {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, docRaw := range strings.Split(string(raw), "\n---") {
			var crd apiextv1.CustomResourceDefinition
			if err := yaml.Unmarshal([]byte(docRaw), &crd); err != nil || crd.Kind != "CustomResourceDefinition" {
				continue
			}
			for _, v := range crd.Spec.Versions {
				if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
					continue
				}
				internal := &apiextensions.JSONSchemaProps{}
				if err := apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
				s.crd[gvk] = internal
				s.crdScope[gvk] = crd.Spec.Scope == apiextv1.NamespaceScoped
			}
		}
	}
	return s, nil
}

// resolve inlines $refs (depth-limited: recursive types are cut off as free-form objects)
// and rewrites the OpenAPI v3 `oneOf: [{type: integer}, {type: string}]` idiom of
// IntOrString/Quantity into x-kubernetes-int-or-string, which structural schemas understand.
func (s *Schemas) resolve(sch map[string]any, depth int) map[string]any {
	if depth > 40 {
		return map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
	}
	if ref, ok := sch["$ref"].(string); ok {
		return s.resolve(s.native[strings.TrimPrefix(ref, "#/components/schemas/")], depth+1)
	}
	out := map[string]any{}
	for k, v := range sch {
		switch k {
		case "description", "x-kubernetes-group-version-kind", "x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key",
			"x-kubernetes-unions", "x-kubernetes-map-type", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "default", "format":
			continue
		case "allOf":
			list := v.([]any)
			if len(list) == 1 {
				for k2, v2 := range s.resolve(list[0].(map[string]any), depth+1) {
					out[k2] = v2
				}
				continue
			}
		case "oneOf":
			out["x-kubernetes-int-or-string"] = true
			continue
		case "properties":
			props := map[string]any{}
			for pk, pv := range v.(map[string]any) {
				props[pk] = s.resolve(pv.(map[string]any), depth+1)
			}
			out[k] = props
			continue
		case "items":
			out[k] = s.resolve(v.(map[string]any), depth+1)
			continue
		case "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				out[k] = s.resolve(m, depth+1)
				continue
			}
		}
		out[k] = v
	}
	if out["x-kubernetes-int-or-string"] == true {
		delete(out, "type")
	}
	if _, ok := out["type"]; !ok && out["x-kubernetes-int-or-string"] != true {
		if _, hasProps := out["properties"]; hasProps {
			out["type"] = "object"
		} else if len(out) == 0 {
			// Free-form (e.g. RawExtension, JSON): accept anything.
			out["x-kubernetes-preserve-unknown-fields"] = true
		}
	}
	return out
}

func (s *Schemas) compile(gvk schema.GroupVersionKind) *compiledSchema {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.compiled[gvk]; ok {
		return c
	}
	c := &compiledSchema{}
	s.compiled[gvk] = c
	var internal *apiextensions.JSONSchemaProps
	if p, ok := s.crd[gvk]; ok {
		internal = p
	} else if name, ok := s.nativeGVK[gvk]; ok {
		resolved := s.resolve(s.native[name], 0)
		raw, _ := json.Marshal(resolved)
		v1 := &apiextv1.JSONSchemaProps{}
		if c.err = json.Unmarshal(raw, v1); c.err != nil {
			return c
		}
		internal = &apiextensions.JSONSchemaProps{}
		if c.err = apiextv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, internal, nil); c.err != nil {
			return c
		}
	} else {
		c.err = fmt.Errorf("no schema for %s: not a Kubernetes 1.36 kind and not in the pinned CRDs (tools/crds/components.txt)", gvk)
		return c
	}
	c.validator, _, c.err = apiservervalidation.NewSchemaValidator(internal)
	if c.err != nil {
		return c
	}
	c.structural, c.err = structuralschema.NewStructural(internal)
	return c
}

// Validate returns schema errors and unknown fields (which the API server would reject
// under strict field validation, the default of `kubectl apply` and Flux's server-side apply).
func (s *Schemas) Validate(u *unstructured.Unstructured) []string {
	gvk := u.GroupVersionKind()
	c := s.compile(gvk)
	if c.err != nil {
		return []string{c.err.Error()}
	}
	var msgs []string
	if namespaced, isCRD := s.crdScope[gvk]; isCRD && !namespaced && u.GetNamespace() != "" {
		msgs = append(msgs, fmt.Sprintf("metadata.namespace %q set on cluster-scoped %s (a kustomize namespace transformer does not know custom kinds)", u.GetNamespace(), gvk.Kind))
	}
	for _, e := range apiservervalidation.ValidateCustomResource(field.NewPath(""), u.Object, c.validator) {
		msgs = append(msgs, strings.TrimPrefix(strings.TrimPrefix(e.Error(), "<nil>."), "[]."))
	}
	copyObj := u.DeepCopy().Object
	pruned := pruning.PruneWithOptions(copyObj, c.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	for _, p := range pruned {
		msgs = append(msgs, fmt.Sprintf("unknown field %q", p))
	}
	sort.Strings(msgs)
	return msgs
}

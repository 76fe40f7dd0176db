package main

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

type fluxVector struct {
	Name          string
	Kustomization map[string]any
	Objects       []map[string]any
	Components    map[string][]map[string]any
	ConfigMaps    []map[string]any
	Expected      []struct {
		Kind, Namespace, Name string
		Labels, Annotations   map[string]string
		Fields                map[string]any
	}
	Unknown []struct {
		Object, Field string
		Variables     []string
		Secrets       []string
	}
}

func yamlStream(t *testing.T, objs []map[string]any) string {
	var docs []string
	for _, o := range objs {
		b, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	return "---\n" + strings.Join(docs, "---\n")
}

// vectorPath splits a field path of the vectors: dots separate keys, `\.` is a dot in a key,
// numbers index lists.
func vectorPath(p string) []string {
	parts := strings.Split(strings.ReplaceAll(p, `\.`, "\x00"), ".")
	for i := range parts {
		parts[i] = strings.ReplaceAll(parts[i], "\x00", ".")
	}
	return parts
}

func fieldAt(v any, path []string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// The same vectors run in plugins/multi-provider-node/src/tree/fluxKustomization.test.ts.
func TestConformanceFluxKustomization(t *testing.T) {
	var v struct{ Cases []fluxVector }
	loadVectors(t, "flux-kustomization/cases.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{
				"app/resources.yaml":     yamlStream(t, c.Objects),
				"app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [resources.yaml]\n",
			}
			for name, objs := range c.Components {
				files["components/"+name+"/resources.yaml"] = yamlStream(t, objs)
				files["components/"+name+"/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [resources.yaml]\n"
			}
			writeFiles(t, root, files)
			ks := &unstructured.Unstructured{Object: c.Kustomization}
			ks.SetAPIVersion("kustomize.toolkit.fluxcd.io/v1")
			ks.SetKind("Kustomization")
			ign, _ := loadIgnore(root, ".")
			built, err := newBuilder(root, ign).BuildFlux("app", ks)
			if err != nil {
				t.Fatal(err)
			}
			pb := resolvePostBuild(ks, func(ns, name string) *unstructured.Unstructured {
				for _, cm := range c.ConfigMaps {
					u := &unstructured.Unstructured{Object: cm}
					if u.GetNamespace() == ns && u.GetName() == name {
						return u
					}
				}
				return nil
			})
			if pb != nil && len(pb.Problems) > 0 {
				t.Fatalf("postBuild problems: %v", pb.Problems)
			}
			var out []*unstructured.Unstructured
			var unknown []string
			for _, u := range built {
				if pb.runs() {
					s, err := pb.Apply(u)
					if err != nil {
						t.Fatal(err)
					}
					u = s.U
					o := &Obj{U: u}
					for _, f := range sortedKeys(s.Unknown) {
						unknown = append(unknown, fmt.Sprintf("%s %s %v %v", o.ID(), f, s.Unknown[f], pb.Secrets))
					}
				}
				out = append(out, u)
			}
			applyCommonMetadata(ks, out)
			sort.Slice(out, func(i, j int) bool {
				a, b := out[i], out[j]
				return a.GetKind()+"/"+a.GetNamespace()+"/"+a.GetName() < b.GetKind()+"/"+b.GetNamespace()+"/"+b.GetName()
			})
			if len(out) != len(c.Expected) {
				t.Fatalf("%d objects, want %d", len(out), len(c.Expected))
			}
			for i, e := range c.Expected {
				u := out[i]
				if got := [3]string{u.GetKind(), u.GetNamespace(), u.GetName()}; got != [3]string{e.Kind, e.Namespace, e.Name} {
					t.Errorf("object %d is %v, want %v", i, got, [3]string{e.Kind, e.Namespace, e.Name})
					continue
				}
				if e.Labels != nil && !reflect.DeepEqual(u.GetLabels(), e.Labels) {
					t.Errorf("%s labels %v, want %v", u.GetName(), u.GetLabels(), e.Labels)
				}
				if e.Annotations != nil && !reflect.DeepEqual(u.GetAnnotations(), e.Annotations) {
					t.Errorf("%s annotations %v, want %v", u.GetName(), u.GetAnnotations(), e.Annotations)
				}
				for p, want := range e.Fields {
					got := fieldAt(u.Object, vectorPath(p))
					// JSON numbers decode as float64 here and int64 in the object.
					if fmt.Sprint(got) != fmt.Sprint(want) || reflect.TypeOf(got) == reflect.TypeOf("") != (reflect.TypeOf(want) == reflect.TypeOf("")) {
						t.Errorf("%s %s = %#v, want %#v", u.GetName(), p, got, want)
					}
				}
			}
			var want []string
			for _, w := range c.Unknown {
				want = append(want, fmt.Sprintf("%s %s %v %v", w.Object, w.Field, w.Variables, w.Secrets))
			}
			if strings.Join(unknown, "\n") != strings.Join(want, "\n") {
				t.Errorf("unknown variables:\n%s\nwant:\n%s", strings.Join(unknown, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// Folders with their own kustomization file, built through Flux's generator: the reference for
// the same vectors in plugins/multi-provider-node/src/tree/readFluxTree.folders.test.ts.
func TestConformanceFluxKustomizationFolders(t *testing.T) {
	var v struct {
		Cases []struct {
			Name          string
			Files         map[string]string
			Kustomization map[string]any
			Expected      []struct {
				Kind, Namespace, Name, Selector string
			}
		}
	}
	loadVectors(t, "flux-kustomization/folders.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, c.Files)
			ks := &unstructured.Unstructured{Object: c.Kustomization}
			ks.SetAPIVersion("kustomize.toolkit.fluxcd.io/v1")
			ks.SetKind("Kustomization")
			p, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
			rel, ok := fluxPathInRoot(p)
			if !ok {
				t.Fatalf("spec.path %s leaves the root", p)
			}
			ign, _ := loadIgnore(root, ".")
			out, err := newBuilder(root, ign).BuildFlux(rel, ks)
			if err != nil {
				t.Fatal(err)
			}
			sort.Slice(out, func(i, j int) bool {
				a, b := out[i], out[j]
				return a.GetKind()+"/"+a.GetNamespace()+"/"+a.GetName() < b.GetKind()+"/"+b.GetNamespace()+"/"+b.GetName()
			})
			if len(out) != len(c.Expected) {
				t.Fatalf("%d objects, want %d", len(out), len(c.Expected))
			}
			for i, e := range c.Expected {
				u := out[i]
				if got := [3]string{u.GetKind(), u.GetNamespace(), u.GetName()}; got != [3]string{e.Kind, e.Namespace, e.Name} {
					t.Errorf("object %d is %v, want %v", i, got, [3]string{e.Kind, e.Namespace, e.Name})
				}
				if e.Selector == "" {
					continue
				}
				ml, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector", "matchLabels")
				var pairs []string
				for _, k := range sortedKeys(ml) {
					pairs = append(pairs, k+"="+ml[k])
				}
				if got := strings.Join(pairs, ","); got != e.Selector {
					t.Errorf("object %d selector %s, want %s", i, got, e.Selector)
				}
			}
		})
	}
}

package main

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestFluxPathMustStayInsideTheArtifact(t *testing.T) {
	for p, want := range map[string]string{"./apps": "apps", "/apps/../infra": "infra", "./": ".", "../other-repo/apps": "", "./apps/../../x": ""} {
		got, ok := fluxPathInRoot(p)
		if ok != (want != "") || got != want {
			t.Errorf("%q: %q %v, want %q", p, got, ok, want)
		}
	}
}

func TestFluxBuildRefusesFilesOutsideTheRootAndUnmatchedSMP(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"app/kustomization.yaml":    "resources: [cm.yaml]\n",
		"app/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"escape/kustomization.yaml": "resources: [../../outside.yaml]\n",
	})
	ks := func(spec map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
			"metadata": map[string]any{"name": "apps", "namespace": "flux-system"}, "spec": spec}}
	}
	b := newBuilder(root, nil)
	if _, err := b.BuildFlux("escape", ks(map[string]any{})); err == nil {
		t.Error("a resource outside the artifact root must not build")
	}
	// A JSON 6902 patch whose target selects nothing changes nothing, and Flux accepts it.
	objs, err := b.BuildFlux("app", ks(map[string]any{"patches": []any{map[string]any{
		"target": map[string]any{"kind": "ConfigMap", "name": "renamed"},
		"patch":  "- op: add\n  path: /data/x\n  value: y\n"}}}))
	if err != nil || len(objs) != 1 || objs[0].Object["data"] != nil {
		t.Errorf("unmatched target: %v %v", objs, err)
	}
	// A strategic merge patch without a target names its object: naming none fails the build.
	_, err = b.BuildFlux("app", ks(map[string]any{"patches": []any{map[string]any{
		"patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: renamed\ndata:\n  x: y\n"}}}))
	if err == nil || !strings.Contains(err.Error(), "renamed") {
		t.Errorf("want the build refused naming the patch's object, got %v", err)
	}
}

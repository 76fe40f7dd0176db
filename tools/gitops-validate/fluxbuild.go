package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/yaml"
)

// What kustomize-controller does with a Flux Kustomization, so that the objects the rules judge
// are the objects that land in the cluster (docs/adr/1013-validator-follows-flux-kustomizations.md):
//
//  1. spec.path is joined to the artifact root with securejoin, which clamps a `../` that
//     leaves the root back inside it: Flux then builds another folder than the one written, so
//     the validator refuses such a path and names the Kustomization (fluxPathInRoot);
//  2. Flux's generator writes the spec's targetNamespace, namePrefix, nameSuffix, patches,
//     components and images into the path's kustomization file (replacing the file's own
//     namespace, prefix and suffix; images merged by name) - fluxKustomizationFile runs that
//     generator itself;
//  3. kustomize builds with files loadable from anywhere inside the artifact root and nowhere
//     outside it, plugins off (Builder.render with Flux's secure file system);
//  4. postBuild substitution, object by object (postbuild.go);
//  5. when applying, spec.commonMetadata labels and annotations are set on every object
//     (applyCommonMetadata).

// fluxPathInRoot cleans a Flux Kustomization's spec.path against the artifact root (a leading
// `/` means the root, as in Flux); ok is false when the path leaves the root.
func fluxPathInRoot(p string) (clean string, ok bool) {
	clean = filepath.Clean(strings.TrimLeft(p, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	return clean, true
}

// fluxKustomizationFile is the kustomization file kustomize-controller builds for the Flux
// Kustomization ks at the repository-relative folder rel: base is the folder's own file (or the
// one generated for a folder without it), written through Flux's own generator. generated says
// base was generated, which Flux's generator treats as a created file.
func fluxKustomizationFile(root, rel string, base []byte, generated bool, ks *unstructured.Unstructured) ([]byte, error) {
	spec := ks.DeepCopy()
	// The generator checks ignored components against its folder, which here is a scratch
	// folder: resolve ignoreMissingComponents against the real one first.
	if ignore, _, _ := unstructured.NestedBool(spec.Object, "spec", "ignoreMissingComponents"); ignore {
		comps, _, _ := unstructured.NestedStringSlice(spec.Object, "spec", "components")
		kept := slices.DeleteFunc(slices.Clone(comps), func(c string) bool {
			_, err := os.Stat(filepath.Join(root, rel, c))
			return err != nil
		})
		_ = unstructured.SetNestedStringSlice(spec.Object, kept, "spec", "components")
		unstructured.RemoveNestedField(spec.Object, "spec", "ignoreMissingComponents")
	}
	scratch, err := os.MkdirTemp("", "gitops-validate-flux-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	if err := os.WriteFile(filepath.Join(scratch, konfig.DefaultKustomizationFileName()), base, 0o600); err != nil {
		return nil, err
	}
	out, _, _, err := fluxkustomize.NewGenerator("", *spec).GenerateManifest(scratch)
	if err != nil {
		return nil, err
	}
	if generated {
		// Flux marks only an existing, resource-less file with build metadata; a generated one
		// keeps what the spec asks for.
		var doc map[string]any
		if err := yaml.Unmarshal(out, &doc); err != nil {
			return nil, err
		}
		if _, asked, _ := unstructured.NestedFieldNoCopy(ks.Object, "spec", "buildMetadata"); !asked {
			delete(doc, "buildMetadata")
		}
		return yaml.Marshal(doc)
	}
	return out, nil
}

// kustomizationFileOf is the folder's kustomization file as kustomize-controller finds it: its
// path and content, or the file Flux would generate (generated true).
func kustomizationFileOf(root, rel string, ign *Ignore) (path string, content []byte, generated bool, err error) {
	dir := filepath.Join(root, rel)
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, name)
		if st, statErr := os.Stat(p); statErr == nil && !st.IsDir() {
			content, err = os.ReadFile(p)
			return p, content, false, err
		}
	}
	content, err = generateKustomization(root, rel, ign)
	return filepath.Join(dir, konfig.DefaultKustomizationFileName()), content, true, err
}

// BuildFlux renders what the Flux Kustomization ks applies from the repository-relative folder
// rel (already checked to be inside the root), before postBuild: its spec written into the
// folder's kustomization by Flux's generator, then built. Memoised per folder and generated file.
func (b *Builder) BuildFlux(rel string, ks *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	rel = filepath.Clean(rel)
	kfile, base, generated, err := kustomizationFileOf(b.root, rel, b.ignore)
	if err != nil {
		return nil, err
	}
	content, err := fluxKustomizationFile(b.root, rel, base, generated, ks)
	if err != nil {
		return nil, fmt.Errorf("Flux's generator refused the spec of Kustomization %s: %w", ks.GetName(), err)
	}
	sum := sha256.Sum256(content)
	key := rel + "#flux-" + hex.EncodeToString(sum[:8])
	b.mu.Lock()
	if r, ok := b.cache[key]; ok {
		b.mu.Unlock()
		return copies(r.objs), r.err
	}
	b.mu.Unlock()
	objs, err := b.buildWith(key, rel, &kustomizationOverlay{path: kfile, content: content}, !generated)
	b.mu.Lock()
	b.cache[key] = buildResult{objs, err}
	b.mu.Unlock()
	return copies(objs), err
}

// copies keeps memoised builds intact: substitution and commonMetadata change the objects.
func copies(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o.DeepCopy()
	}
	return out
}

// applyCommonMetadata is spec.commonMetadata as kustomize-controller sets it when applying:
// labels and annotations added to every object (overriding the object's own), selectors untouched.
func applyCommonMetadata(ks *unstructured.Unstructured, objs []*unstructured.Unstructured) {
	labels, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "labels")
	annotations, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "annotations")
	for _, o := range objs {
		if len(labels) > 0 {
			l := o.GetLabels()
			if l == nil {
				l = map[string]string{}
			}
			for k, v := range labels {
				l[k] = v
			}
			o.SetLabels(l)
		}
		if len(annotations) > 0 {
			a := o.GetAnnotations()
			if a == nil {
				a = map[string]string{}
			}
			for k, v := range annotations {
				a[k] = v
			}
			o.SetAnnotations(a)
		}
	}
}

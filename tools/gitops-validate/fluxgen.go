package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/sourceignore/gitignore"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// What Flux does with a folder before kustomize sees it, so that the validator builds what Flux
// builds:
//
//   - source-controller leaves files out of the artifact: its default exclusions (VCS metadata,
//     CI files such as .gitlab-ci.yml, .sops.yaml, images and archives) and every .sourceignore;
//   - kustomize-controller, given a path without a kustomization file, generates one (fluxcd/pkg
//     kustomize generator): it walks the folder recursively, lists every .yaml/.yml file as a
//     resource after checking it decodes as Kubernetes YAML, lists a sub-folder that has its own
//     kustomization file as one resource without descending into it, and skips everything else.

// hasKustomization tells whether dir holds a file kustomize recognises as its kustomization.
func hasKustomization(dir string) bool {
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}

// Ignore is source-controller's exclusion of files from an artifact, for one repository.
type Ignore struct {
	m gitignore.Matcher
}

// loadIgnore reads the default exclusions plus the repository root's .sourceignore and every
// .sourceignore under tree (the part of the repository the validator walks).
func loadIgnore(root, tree string) (*Ignore, error) {
	ps, err := sourceignore.ReadIgnoreFile(filepath.Join(root, sourceignore.IgnoreFile), nil)
	if err != nil {
		return nil, err
	}
	if tree != "." {
		sub, err := sourceignore.LoadIgnorePatterns(filepath.Join(root, tree), strings.Split(filepath.ToSlash(tree), "/"))
		if err != nil {
			return nil, err
		}
		ps = append(ps, sub...)
	} else {
		// The root's file is read again by the recursive load; reading it once is enough.
		sub, err := sourceignore.LoadIgnorePatterns(root, nil)
		if err != nil {
			return nil, err
		}
		ps = sub
	}
	return &Ignore{m: sourceignore.NewDefaultMatcher(ps, nil)}, nil
}

// Ignored tells whether source-controller leaves the repository-relative path out.
func (i *Ignore) Ignored(rel string, isDir bool) bool {
	if i == nil || rel == "." || rel == "" {
		return false
	}
	return i.m.Match(strings.Split(filepath.ToSlash(rel), "/"), isDir)
}

// generateKustomization is the kustomization kustomize-controller writes into a Flux
// Kustomization's path that has none. rel is repository-relative.
func generateKustomization(root, rel string, ign *Ignore) ([]byte, error) {
	base := filepath.Join(root, rel)
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	var resources []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == base {
			return nil
		}
		r, _ := filepath.Rel(root, p)
		if ign.Ignored(r, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		inside, _ := filepath.Rel(base, p)
		if d.IsDir() {
			if hasKustomization(p) {
				resources = append(resources, inside)
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := rf.SliceFromBytes(raw); err != nil {
			return fmt.Errorf("%s: not Kubernetes YAML, which Flux refuses in a folder without kustomization.yaml: %w", r, err)
		}
		resources = append(resources, inside)
		return nil
	})
	if err != nil {
		return nil, err
	}
	k := types.Kustomization{TypeMeta: types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}, Resources: resources}
	return yaml.Marshal(k)
}

// generatedFS is the repository as kustomize-controller sees it after generating the
// kustomization file of one folder: that one file added, nothing written to disk.
type generatedFS struct {
	filesys.FileSystem
	path    string
	content []byte
}

func (g *generatedFS) ReadFile(p string) ([]byte, error) {
	if filepath.Clean(p) == g.path {
		return g.content, nil
	}
	return g.FileSystem.ReadFile(p)
}

func (g *generatedFS) Exists(p string) bool {
	return filepath.Clean(p) == g.path || g.FileSystem.Exists(p)
}

// CleanedAbs resolves the generated file, which the disk's resolution (EvalSymlinks) cannot find.
func (g *generatedFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if filepath.Clean(p) == g.path {
		return filesys.ConfirmedDir(filepath.Dir(g.path)), filepath.Base(g.path), nil
	}
	return g.FileSystem.CleanedAbs(p)
}

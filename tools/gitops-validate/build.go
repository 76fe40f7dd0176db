package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// Obj is one rendered object and where it came from.
type Obj struct {
	U       *unstructured.Unstructured
	Dir     string // repo-relative kustomization directory that rendered it
	Cluster string // cluster name (gitops/clusters/<name>)
	Owner   string // Flux Kustomization that applies it
}

func (o *Obj) ID() string {
	ns := o.U.GetNamespace()
	if ns != "" {
		ns += "/"
	}
	return o.U.GetKind() + " " + ns + o.U.GetName()
}

// Builder renders kustomization directories with the kustomize library (the same one
// kustomize-controller embeds) and memoises the result per directory.
type Builder struct {
	root  string
	mu    sync.Mutex
	cache map[string]buildResult
	// shared is the cross-run build cache of serve mode (nil for a one-shot run).
	shared *BuildCache
}

type buildResult struct {
	objs []*unstructured.Unstructured
	err  error
}

func newBuilder(root string) *Builder {
	return &Builder{root: root, cache: map[string]buildResult{}}
}

func (b *Builder) Build(rel string) ([]*unstructured.Unstructured, error) {
	rel = filepath.Clean(strings.TrimPrefix(rel, "./"))
	b.mu.Lock()
	if r, ok := b.cache[rel]; ok {
		b.mu.Unlock()
		return r.objs, r.err
	}
	b.mu.Unlock()
	objs, err := b.build(rel)
	b.mu.Lock()
	b.cache[rel] = buildResult{objs, err}
	b.mu.Unlock()
	return objs, err
}

func (b *Builder) build(rel string) ([]*unstructured.Unstructured, error) {
	if b.shared == nil {
		return b.render(filesys.MakeFsOnDisk(), rel)
	}
	if objs, ok := b.shared.lookup(b.root, rel); ok {
		return objs, nil
	}
	rec := &recordingFS{FileSystem: filesys.MakeFsOnDisk(), root: b.root}
	objs, err := b.render(rec, rel)
	if err == nil {
		b.shared.store(rel, rec, objs)
	}
	return objs, err
}

func (b *Builder) render(fs filesys.FileSystem, rel string) ([]*unstructured.Unstructured, error) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	k := krusty.MakeKustomizer(opts)
	m, err := k.Run(fs, filepath.Join(b.root, rel))
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, r := range m.Resources() {
		j, err := r.MarshalJSON()
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{}
		// UnmarshalJSON yields the int64/float64 number types the apimachinery code expects.
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// kustomizationDirs lists every directory under gitops/ holding a kustomization file,
// except test fixtures, and tells whether it is a Component (not buildable on its own).
func kustomizationDirs(root string) (dirs []string, components map[string]bool, err error) {
	components = map[string]bool{}
	err = filepath.WalkDir(filepath.Join(root, "gitops"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "tests" && filepath.Dir(p) == filepath.Join(root, "gitops") {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "kustomization.yaml" {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		dirs = append(dirs, rel)
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var head struct{ Kind string }
		_ = yaml.Unmarshal(raw, &head)
		if head.Kind == "Component" {
			components[rel] = true
		}
		return nil
	})
	sort.Strings(dirs)
	return
}

// checkFileConventions: every YAML file starts with `---`; every file whose first document
// is a Kubernetes object or a kustomization has a yaml-language-server schema comment.
func checkFileConventions(root string, rep *Report) {
	_ = filepath.WalkDir(filepath.Join(root, "gitops"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, "gitops/tests/") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		var head []string
		for i := 0; i < 3 && sc.Scan(); i++ {
			head = append(head, sc.Text())
		}
		if len(head) == 0 || head[0] != "---" {
			rep.Add(rel, "", "file-conventions", "file must start with a `---` document marker")
			return nil
		}
		raw, _ := os.ReadFile(p)
		var doc map[string]any
		_ = yaml.Unmarshal([]byte(strings.SplitN(string(raw), "\n---", 2)[0]), &doc)
		_, hasKind := doc["kind"]
		_, hasAPI := doc["apiVersion"]
		if hasKind && hasAPI && !strings.HasPrefix(head[1], "# yaml-language-server: $schema=") {
			rep.Add(rel, "", "file-conventions", "second line must be a `# yaml-language-server: $schema=...` comment")
		}
		return nil
	})
}

func fmtErr(err error) string {
	return strings.ReplaceAll(fmt.Sprint(err), "\n", " ")
}

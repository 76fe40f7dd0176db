package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	fluxfs "github.com/fluxcd/pkg/kustomize/filesys"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/konfig"
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
	// Unchecked are fields whose value a Secret supplies through postBuild (field path ->
	// variables): their schema errors are not the tree's to judge (postbuild.go).
	Unchecked map[string][]string
}

func (o *Obj) ID() string {
	ns := o.U.GetNamespace()
	if ns != "" {
		ns += "/"
	}
	return o.U.GetKind() + " " + ns + o.U.GetName()
}

// Builder renders kustomization directories with the kustomize library (the same one
// kustomize-controller embeds) and memoises the result per directory (and, for a Flux
// Kustomization, per kustomization file Flux's generator wrote: fluxbuild.go).
type Builder struct {
	root string
	// ignore is what source-controller leaves out of the artifact.
	ignore *Ignore
	mu     sync.Mutex
	cache  map[string]buildResult
	// shared is the cross-run build cache of serve mode (nil for a one-shot run).
	shared *BuildCache
}

type buildResult struct {
	objs []*unstructured.Unstructured
	err  error
}

func newBuilder(root string, ignore *Ignore) *Builder {
	return &Builder{root: root, ignore: ignore, cache: map[string]buildResult{}}
}

func (b *Builder) Build(rel string) ([]*unstructured.Unstructured, error) {
	rel = filepath.Clean(strings.TrimPrefix(rel, "./"))
	b.mu.Lock()
	if r, ok := b.cache[rel]; ok {
		b.mu.Unlock()
		return r.objs, r.err
	}
	b.mu.Unlock()
	var overlay *kustomizationOverlay
	shareable := hasKustomization(filepath.Join(b.root, rel))
	if !shareable {
		content, err := generateKustomization(b.root, rel, b.ignore)
		if err != nil {
			return nil, err
		}
		overlay = &kustomizationOverlay{path: filepath.Join(b.root, rel, konfig.DefaultKustomizationFileName()), content: content}
	}
	objs, err := b.buildWith(rel, rel, overlay, shareable)
	b.mu.Lock()
	b.cache[rel] = buildResult{objs, err}
	b.mu.Unlock()
	return objs, err
}

// kustomizationOverlay is a kustomization file as kustomize-controller leaves it in a folder
// (generated, or rewritten by Flux's generator), seen by the build without being written.
type kustomizationOverlay struct {
	path    string
	content []byte
}

// buildWith renders rel with an optional overlay; key names the build in the shared cache of
// serve mode. A build that depends on a walk of its folder (a generated kustomization) is not
// shareable: the shared cache does not record walks.
func (b *Builder) buildWith(key, rel string, overlay *kustomizationOverlay, shareable bool) ([]*unstructured.Unstructured, error) {
	disk, err := fluxfs.MakeFsOnDiskSecure(b.root)
	if err != nil {
		return nil, err
	}
	if b.shared == nil || !shareable {
		return b.render(disk, rel, overlay)
	}
	if objs, ok := b.shared.lookup(b.root, key); ok {
		return objs, nil
	}
	rec := &recordingFS{FileSystem: disk, root: b.root}
	objs, err := b.render(rec, rel, overlay)
	if err == nil {
		b.shared.store(key, rec, objs)
	}
	return objs, err
}

// render builds rel as kustomize-controller does: files load from anywhere inside the artifact
// root (the repository) and nowhere outside it - Flux's secure file system refuses the rest -
// and kustomize plugins are off.
func (b *Builder) render(fs filesys.FileSystem, rel string, overlay *kustomizationOverlay) ([]*unstructured.Unstructured, error) {
	dir := filepath.Join(b.root, rel)
	if overlay != nil {
		// kustomize reads the file through the folder's resolved path.
		resolved, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return nil, err
		}
		fs = &generatedFS{FileSystem: fs, path: filepath.Join(resolved, filepath.Base(overlay.path)), content: overlay.content}
	}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	opts.PluginConfig = types.DisabledPluginConfig()
	k := krusty.MakeKustomizer(opts)
	m, err := k.Run(fs, dir)
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

// walkTree visits every file and folder of the configured tree that Flux would see: excluded
// folders and what source-controller leaves out of artifacts are skipped.
func walkTree(root string, cfg *Config, ign *Ignore, visit func(rel string, d fs.DirEntry) error) error {
	return filepath.WalkDir(filepath.Join(root, cfg.Tree), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (slices.Contains(cfg.Exclude, rel) || ign.Ignored(rel, true)) {
			return filepath.SkipDir
		}
		if !d.IsDir() && ign.Ignored(rel, false) {
			return nil
		}
		return visit(rel, d)
	})
}

// kustomizationDirs lists every folder of the tree holding a kustomization file and tells
// whether it is a Component (not buildable on its own).
func kustomizationDirs(root string, cfg *Config, ign *Ignore) (dirs []string, components map[string]bool, err error) {
	components = map[string]bool{}
	err = walkTree(root, cfg, ign, func(rel string, d fs.DirEntry) error {
		if d.IsDir() || !slices.Contains(konfig.RecognizedKustomizationFileNames(), d.Name()) {
			return nil
		}
		dir := filepath.Dir(rel)
		dirs = append(dirs, dir)
		raw, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return err
		}
		var head struct{ Kind string }
		_ = yaml.Unmarshal(raw, &head)
		if head.Kind == "Component" {
			components[dir] = true
		}
		return nil
	})
	sort.Strings(dirs)
	return
}

// checkFileConventions: every YAML file starts with `---`; every file whose first document
// is a Kubernetes object or a kustomization has a yaml-language-server schema comment.
func checkFileConventions(root string, cfg *Config, ign *Ignore, rep *Report) {
	_ = walkTree(root, cfg, ign, func(rel string, d fs.DirEntry) error {
		if d.IsDir() || !strings.HasSuffix(rel, ".yaml") {
			return nil
		}
		p := filepath.Join(root, rel)
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
		if hasKind && hasAPI && (len(head) < 2 || !strings.HasPrefix(head[1], "# yaml-language-server: $schema=")) {
			rep.Add(rel, "", "file-conventions", "second line must be a `# yaml-language-server: $schema=...` comment")
		}
		return nil
	})
}

func fmtErr(err error) string {
	return strings.ReplaceAll(fmt.Sprint(err), "\n", " ")
}

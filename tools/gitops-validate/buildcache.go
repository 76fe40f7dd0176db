package main

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// BuildCache keeps kustomize builds between the requests of serve mode. A build is reused only
// when every file-system observation it made - each file read (by content hash), existence and
// directory check, directory listing, glob and path resolution - gives the same answer in the
// new tree (paths inside the tree compared relative to its root). Builds that wrote to the file
// system or walked it, and failed builds, are never reused. So a reused build is the build the
// new tree would produce.
type BuildCache struct {
	mu      sync.Mutex
	entries map[string]cachedBuild
	Hits    int
	Misses  int
}

type cachedBuild struct {
	deps []fsDep
	objs []*unstructured.Unstructured
}

func newBuildCache() *BuildCache { return &BuildCache{entries: map[string]cachedBuild{}} }

// fsDep is one observation: operation, path (relative to the tree root as "@/..." when inside
// it) and what it returned.
type fsDep struct{ op, path, result string }

func mapIn(root, p string) string {
	if p == root {
		return "@"
	}
	if strings.HasPrefix(p, root+string(filepath.Separator)) {
		return "@" + p[len(root):]
	}
	return p
}

func mapOut(root, p string) string {
	if strings.HasPrefix(p, "@") {
		return root + p[1:]
	}
	return p
}

func hashOf(b []byte, err error) string {
	if err != nil {
		return "error"
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func observe(fs filesys.FileSystem, root, op, p string) string {
	switch op {
	case "read":
		return hashOf(fs.ReadFile(p))
	case "isdir":
		return strconv.FormatBool(fs.IsDir(p))
	case "exists":
		return strconv.FormatBool(fs.Exists(p))
	case "readdir":
		l, err := fs.ReadDir(p)
		if err != nil {
			return "error"
		}
		return strings.Join(l, "\n")
	case "glob":
		l, err := fs.Glob(p)
		if err != nil {
			return "error"
		}
		for i := range l {
			l[i] = mapIn(root, l[i])
		}
		return strings.Join(l, "\n")
	case "cleanedabs":
		d, f, err := fs.CleanedAbs(p)
		if err != nil {
			return "error"
		}
		return mapIn(root, d.String()) + "\x00" + f
	}
	return "unknown op " + op
}

// recordingFS is the on-disk file system, noting every observation a build makes.
type recordingFS struct {
	filesys.FileSystem
	root        string
	mu          sync.Mutex
	deps        []fsDep
	uncacheable bool
}

func (r *recordingFS) note(op, p string) string {
	res := observe(r.FileSystem, r.root, op, p)
	r.mu.Lock()
	r.deps = append(r.deps, fsDep{op, mapIn(r.root, p), res})
	r.mu.Unlock()
	return res
}

func (r *recordingFS) taint() {
	r.mu.Lock()
	r.uncacheable = true
	r.mu.Unlock()
}

func (r *recordingFS) ReadFile(p string) ([]byte, error) {
	b, err := r.FileSystem.ReadFile(p)
	r.mu.Lock()
	r.deps = append(r.deps, fsDep{"read", mapIn(r.root, p), hashOf(b, err)})
	r.mu.Unlock()
	return b, err
}

func (r *recordingFS) IsDir(p string) bool {
	r.note("isdir", p)
	return r.FileSystem.IsDir(p)
}

func (r *recordingFS) Exists(p string) bool {
	r.note("exists", p)
	return r.FileSystem.Exists(p)
}

func (r *recordingFS) ReadDir(p string) ([]string, error) {
	r.note("readdir", p)
	return r.FileSystem.ReadDir(p)
}

func (r *recordingFS) Glob(p string) ([]string, error) {
	r.note("glob", p)
	return r.FileSystem.Glob(p)
}

func (r *recordingFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	r.note("cleanedabs", p)
	return r.FileSystem.CleanedAbs(p)
}

func (r *recordingFS) Create(p string) (filesys.File, error) {
	r.taint()
	return r.FileSystem.Create(p)
}

func (r *recordingFS) Mkdir(p string) error {
	r.taint()
	return r.FileSystem.Mkdir(p)
}

func (r *recordingFS) MkdirAll(p string) error {
	r.taint()
	return r.FileSystem.MkdirAll(p)
}

func (r *recordingFS) RemoveAll(p string) error {
	r.taint()
	return r.FileSystem.RemoveAll(p)
}

func (r *recordingFS) Open(p string) (filesys.File, error) {
	r.taint()
	return r.FileSystem.Open(p)
}

func (r *recordingFS) WriteFile(p string, data []byte) error {
	r.taint()
	return r.FileSystem.WriteFile(p, data)
}

func (r *recordingFS) Walk(p string, fn filepath.WalkFunc) error {
	r.taint()
	return r.FileSystem.Walk(p, fn)
}

// lookup returns a copy of the cached build of rel when it still holds under root.
func (c *BuildCache) lookup(root, rel string) ([]*unstructured.Unstructured, bool) {
	c.mu.Lock()
	e, ok := c.entries[rel]
	c.mu.Unlock()
	if !ok {
		c.count(false)
		return nil, false
	}
	disk := filesys.MakeFsOnDisk()
	for _, d := range e.deps {
		if observe(disk, root, d.op, mapOut(root, d.path)) != d.result {
			c.count(false)
			return nil, false
		}
	}
	c.count(true)
	out := make([]*unstructured.Unstructured, len(e.objs))
	for i, o := range e.objs {
		out[i] = o.DeepCopy()
	}
	return out, true
}

func (c *BuildCache) count(hit bool) {
	c.mu.Lock()
	if hit {
		c.Hits++
	} else {
		c.Misses++
	}
	c.mu.Unlock()
}

func (c *BuildCache) store(rel string, r *recordingFS, objs []*unstructured.Unstructured) {
	if r.uncacheable {
		return
	}
	kept := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		kept[i] = o.DeepCopy()
	}
	c.mu.Lock()
	c.entries[rel] = cachedBuild{deps: r.deps, objs: kept}
	c.mu.Unlock()
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// ConfigFile is where a validated repository says which layers it opts into and where its tree
// lies. Absent, the defaults describe a repository laid out as `flux bootstrap` leaves it.
const ConfigFile = ".cloudlab/validate.yaml"

// Config is the repository's validation configuration, after defaults and flag overrides.
type Config struct {
	// Tree is the folder walked for kustomizations (and, with conventions, file conventions).
	Tree string
	// Clusters is the folder whose sub-folders are the cluster roots Flux syncs.
	Clusters string
	// Exclude are folders the walk skips (fixtures that must not validate on their own).
	Exclude []string
	// Registry is the provider registry folder; the platform layer reads it.
	Registry string
	// Platform is auto (on when the registry folder exists), on or off.
	Platform string
	// Conventions turns the house conventions on.
	Conventions bool
	// BootstrapSecrets are the Secrets ("namespace/name") the cluster bootstrap creates outside
	// Git, before Vault can: consumers may read them though no VaultStaticSecret writes them.
	BootstrapSecrets []string
	// Source is the file the configuration was read from, "" for the defaults.
	Source string
	// platformFrom says who set Platform, for errors.
	platformFrom string
}

const (
	defaultTree     = "."
	defaultRegistry = "providers"
	platformAuto    = "auto"
	platformOn      = "on"
	platformOff     = "off"
)

var (
	configKeys = []string{"apiVersion", "kind", "tree", "clusters", "exclude", "registry", "layers", "bootstrapSecrets"}
	layerKeys  = []string{"platform", "conventions"}
)

// loadConfig reads ConfigFile from the repository root (defaults when it does not exist). Every
// error names the file and the key, and the rule it broke.
func loadConfig(root string) (*Config, error) {
	c := &Config{Tree: defaultTree, Registry: defaultRegistry, Platform: platformAuto}
	raw, err := os.ReadFile(filepath.Join(root, ConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		c.Clusters = filepath.Join(c.Tree, "clusters")
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigFile, err)
	}
	c.Source = ConfigFile
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: not YAML: %w", ConfigFile, err)
	}
	fail := func(key, rule string, args ...any) error {
		return fmt.Errorf("%s: %s: %s", ConfigFile, key, fmt.Sprintf(rule, args...))
	}
	if err := onlyKeys(doc, configKeys, ""); err != nil {
		return nil, fail(err.key, "%s", err.rule)
	}
	if v := doc["apiVersion"]; v != "cloudlab.dev/v1alpha1" {
		return nil, fail("apiVersion", "want cloudlab.dev/v1alpha1, got %v", v)
	}
	if v := doc["kind"]; v != "ValidationConfig" {
		return nil, fail("kind", "want ValidationConfig, got %v", v)
	}
	folder := func(key string, into *string) error {
		v, ok := doc[key]
		if !ok {
			return nil
		}
		s, isStr := v.(string)
		if !isStr || s == "" {
			return fail(key, "want a folder relative to the repository root, got %v", v)
		}
		clean, err := insideRepo(s)
		if err != nil {
			return fail(key, "%v", err)
		}
		*into = clean
		return nil
	}
	for key, into := range map[string]*string{"tree": &c.Tree, "clusters": &c.Clusters, "registry": &c.Registry} {
		if err := folder(key, into); err != nil {
			return nil, err
		}
	}
	if c.Clusters == "" {
		c.Clusters = filepath.Join(c.Tree, "clusters")
	}
	if v, ok := doc["exclude"]; ok {
		list, isList := v.([]any)
		if !isList {
			return nil, fail("exclude", "want a list of folders, got %v", v)
		}
		for i, e := range list {
			s, isStr := e.(string)
			clean, err := insideRepo(s)
			if !isStr || err != nil {
				return nil, fail(fmt.Sprintf("exclude[%d]", i), "want a folder relative to the repository root, got %v", e)
			}
			c.Exclude = append(c.Exclude, clean)
		}
	}
	if v, ok := doc["bootstrapSecrets"]; ok {
		list, isList := v.([]any)
		if !isList {
			return nil, fail("bootstrapSecrets", "want a list of namespace/name, got %v", v)
		}
		for i, e := range list {
			s, _ := e.(string)
			if ns, name, found := strings.Cut(s, "/"); !found || ns == "" || name == "" || strings.Contains(name, "/") {
				return nil, fail(fmt.Sprintf("bootstrapSecrets[%d]", i), "want namespace/name, got %v", e)
			}
			c.BootstrapSecrets = append(c.BootstrapSecrets, s)
		}
	}
	if v, ok := doc["layers"]; ok {
		layers, isMap := v.(map[string]any)
		if !isMap {
			return nil, fail("layers", "want a map with platform and conventions, got %v", v)
		}
		if err := onlyKeys(layers, layerKeys, "layers."); err != nil {
			return nil, fail(err.key, "%s", err.rule)
		}
		if p, ok := layers["platform"]; ok {
			if err := c.setPlatform(p); err != nil {
				return nil, fail("layers.platform", "%v", err)
			}
			c.platformFrom = ConfigFile + " layers.platform"
		}
		if cv, ok := layers["conventions"]; ok {
			b, isBool := cv.(bool)
			if !isBool {
				return nil, fail("layers.conventions", "want true or false, got %v", cv)
			}
			c.Conventions = b
		}
	}
	return c, nil
}

type keyError struct{ key, rule string }

func onlyKeys(m map[string]any, allowed []string, prefix string) *keyError {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return &keyError{prefix + k, "unknown key (known: " + strings.Join(allowed, ", ") + ")"}
		}
	}
	return nil
}

// insideRepo cleans a repository-relative folder and refuses one that leaves the repository:
// the validator is run on workspaces it must not read outside of.
func insideRepo(p string) (string, error) {
	clean := filepath.Clean(p)
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("%q leaves the repository (want a folder relative to its root)", p)
	}
	return clean, nil
}

func (c *Config) setPlatform(v any) error {
	// YAML 1.1 readers turn a bare on/off into a boolean: accept both spellings.
	switch v {
	case platformAuto, platformOn, platformOff:
		c.Platform = v.(string)
	case true:
		c.Platform = platformOn
	case false:
		c.Platform = platformOff
	default:
		return fmt.Errorf("want auto, on or off, got %v", v)
	}
	return nil
}

// applyLayersFlag overrides the configured layers with the -layers flag: a comma-separated list
// of the optional layers to run (correctness always runs and may be named).
func (c *Config) applyLayersFlag(flag string) error {
	c.Platform, c.Conventions, c.platformFrom = platformOff, false, "-layers"
	for _, l := range strings.Split(flag, ",") {
		switch Layer(strings.TrimSpace(l)) {
		case LayerCorrectness, "":
		case LayerPlatform:
			c.Platform = platformOn
		case LayerConventions:
			c.Conventions = true
		default:
			return fmt.Errorf("-layers: unknown layer %q (known: correctness, platform, conventions)", l)
		}
	}
	return nil
}

// describePlatform says where the platform layer's setting came from, for errors.
func (c *Config) describePlatform() string {
	if c.platformFrom == "" {
		return "default"
	}
	return "set by " + c.platformFrom
}

// Folders are the repository folders a run reads: the configuration's, the tree and the
// registry (a copy of them validates as the repository does).
func (c *Config) Folders() []string {
	out := []string{filepath.Dir(ConfigFile)}
	for _, f := range []string{c.Tree, c.Registry} {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

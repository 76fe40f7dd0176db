package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Secret contracts (docs/adr/1014-secret-contracts.md): every VaultStaticSecret declares the keys
// its destination Secret holds in the form VSO itself enforces, and every consumer of that
// Secret names only declared keys.

// declaredKeyRe is one declared key as an includes pattern: anchored, literal (a Secret key's
// characters, dots escaped), so the pattern admits exactly that key and can be read back.
var declaredKeyRe = regexp.MustCompile(`^\^((?:[-_a-zA-Z0-9]|\\\.)+)\$$`)

// declaredSecretKeys reads the keys a VaultStaticSecret's destination declares. VSO (v1.5.0,
// helpers.FilterData and makeK8sData) writes the source fields matching `includes` plus `_raw`
// unless `excludeRaw`; excludes, templates and transformation references would add or hide keys
// the declaration does not name. The TypeScript reader runs the same vectors
// (conformance/secret-contract).
func declaredSecretKeys(destination map[string]any) ([]string, error) {
	t, ok := destination["transformation"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("destination.transformation is missing: declare the keys with excludeRaw: true and includes [\"^key$\", …]")
	}
	if raw, _ := t["excludeRaw"].(bool); !raw {
		return nil, fmt.Errorf("destination.transformation.excludeRaw must be true (else VSO adds the undeclared key _raw)")
	}
	for _, f := range []string{"excludes", "templates", "transformationRefs"} {
		if _, set := t[f]; set {
			return nil, fmt.Errorf("destination.transformation.%s is not part of a key declaration (only excludeRaw and includes)", f)
		}
	}
	list, _ := t["includes"].([]any)
	if len(list) == 0 {
		return nil, fmt.Errorf("destination.transformation.includes must list the declared keys as anchored patterns (\"^key$\")")
	}
	var keys []string
	for i, p := range list {
		s, _ := p.(string)
		m := declaredKeyRe.FindStringSubmatch(s)
		if m == nil {
			return nil, fmt.Errorf("destination.transformation.includes[%d] %q is not one literal key as ^key$ (letters, digits, -, _, \\.)", i, p)
		}
		k := strings.ReplaceAll(m[1], `\.`, ".")
		if slices.Contains(keys, k) {
			return nil, fmt.Errorf("destination.transformation.includes[%d] declares key %q twice", i, k)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// chartSecretConsumer is one chart's convention for reading keys of a Secret it does not create.
type chartSecretConsumer struct {
	// Chart is spec.chart.spec.chart of the HelmRelease.
	Chart string
	// SecretPath is the values path naming the Secret ("" when the chart always reads Secret).
	SecretPath string
	// Secret is the name the chart reads when SecretPath is "".
	Secret string
	// Keys are the keys it reads: a values path and the chart's default when the path is unset,
	// or a fixed key (Path ""). None: the chart takes the whole Secret (as envFrom does).
	Keys []chartSecretKey
}

type chartSecretKey struct{ Path, Default string }

// chartSecretConsumers are the conventions of the charts this tree installs. A chart not listed
// here reads no Secret by these rules; add a row when a release names an existing Secret.
var chartSecretConsumers = []chartSecretConsumer{
	{Chart: "kube-prometheus-stack", SecretPath: "grafana.admin.existingSecret",
		Keys: []chartSecretKey{{"grafana.admin.userKey", "admin-user"}, {"grafana.admin.passwordKey", "admin-password"}}},
	{Chart: "grafana", SecretPath: "admin.existingSecret",
		Keys: []chartSecretKey{{"admin.userKey", "admin-user"}, {"admin.passwordKey", "admin-password"}}},
	{Chart: "hcloud-csi", SecretPath: "controller.hcloudToken.existingSecret.name",
		Keys: []chartSecretKey{{"controller.hcloudToken.existingSecret.key", "token"}}},
	// The controller takes every key of the Secret as its environment.
	{Chart: "scaleway-csi", SecretPath: "controller.scaleway.existingSecretName"},
	// The operator reads its OAuth client from files of the Secret the chart names operator-oauth
	// (the chart creates that Secret itself only when oauth.clientSecret is given in values).
	{Chart: "tailscale-operator", Secret: "operator-oauth",
		Keys: []chartSecretKey{{"", "client_id"}, {"", "client_secret"}}},
}

// secretUse is one consumer of a Secret: who, where in the object, which key ("" for all).
type secretUse struct {
	obj       *Obj
	namespace string
	secret    string
	path      string
	key       string
	optional  bool
}

// checkSecretContracts: declarations well formed; consumers name only declared keys; a consumed
// Secret comes from a VaultStaticSecret, the tree, or the bootstrap list of the configuration.
func checkSecretContracts(c *Cluster, bootstrap []string, rep *Report) {
	declared := map[string][]string{}
	for _, o := range c.ofKind("VaultStaticSecret") {
		dest, _, _ := unstructured.NestedMap(o.U.Object, "spec", "destination")
		name, _ := dest["name"].(string)
		id := o.U.GetNamespace() + "/" + name
		keys, err := declaredSecretKeys(dest)
		if err != nil {
			rep.AddObj(o, "secret-contract-declared", err.Error())
		}
		// A broken declaration is its own finding; its consumers are not judged twice.
		declared[id] = keys
	}
	created := map[string]bool{}
	for _, o := range c.ofKind("Secret") {
		created[o.U.GetNamespace()+"/"+o.U.GetName()] = true
	}
	for _, u := range secretUses(c) {
		id := u.namespace + "/" + u.secret
		keys, byVSO := declared[id]
		switch {
		case byVSO:
			if keys != nil && u.key != "" && !slices.Contains(keys, u.key) {
				rep.AddObj(u.obj, "secret-contract-keys", fmt.Sprintf("%s reads key %q of Secret %s, which its VaultStaticSecret does not declare (declared: %s)",
					u.path, u.key, id, strings.Join(keys, ", ")))
			}
		case created[id], slices.Contains(bootstrap, id), u.optional:
		default:
			rep.AddObj(u.obj, "secret-source", fmt.Sprintf("%s reads Secret %s, which no VaultStaticSecret writes, the tree does not create and %s does not list under bootstrapSecrets",
				u.path, id, ConfigFile))
		}
	}
}

// secretUses lists every consumer of a Secret in the cluster: pod specs and chart values.
func secretUses(c *Cluster) []secretUse {
	var out []secretUse
	for _, w := range workloads(c) {
		out = append(out, podSecretUses(w, podSpec(w.U), podSpecPath(w.U.GetKind()))...)
	}
	for _, o := range c.ofKind("HelmRelease") {
		out = append(out, chartSecretUses(c, o)...)
	}
	return out
}

func podSpecPath(kind string) string {
	switch kind {
	case "Pod":
		return "spec"
	case "CronJob":
		return "spec.jobTemplate.spec.template.spec"
	}
	return "spec.template.spec"
}

func podSecretUses(o *Obj, ps map[string]any, at string) []secretUse {
	ns := o.U.GetNamespace()
	var out []secretUse
	use := func(path string, m map[string]any, nameField, key string) {
		name, _ := m[nameField].(string)
		opt, _ := m["optional"].(bool)
		out = append(out, secretUse{obj: o, namespace: ns, secret: name, path: path, key: key, optional: opt})
	}
	for _, group := range []string{"initContainers", "containers", "ephemeralContainers"} {
		cs, _ := ps[group].([]any)
		for i, cv := range cs {
			ct, _ := cv.(map[string]any)
			cpath := fmt.Sprintf("%s.%s[%d]", at, group, i)
			env, _ := ct["env"].([]any)
			for j, ev := range env {
				if ref, ok, _ := unstructured.NestedMap(asMap(ev), "valueFrom", "secretKeyRef"); ok {
					key, _ := ref["key"].(string)
					use(fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", cpath, j), ref, "name", key)
				}
			}
			envFrom, _ := ct["envFrom"].([]any)
			for j, ev := range envFrom {
				if ref, ok, _ := unstructured.NestedMap(asMap(ev), "secretRef"); ok {
					use(fmt.Sprintf("%s.envFrom[%d].secretRef", cpath, j), ref, "name", "")
				}
			}
		}
	}
	vols, _ := ps["volumes"].([]any)
	for i, vv := range vols {
		v := asMap(vv)
		vpath := fmt.Sprintf("%s.volumes[%d]", at, i)
		if s, ok := v["secret"].(map[string]any); ok {
			itemUses(vpath+".secret", s, "secretName", use)
		}
		sources, _, _ := unstructured.NestedSlice(v, "projected", "sources")
		for j, sv := range sources {
			if s, ok := asMap(sv)["secret"].(map[string]any); ok {
				itemUses(fmt.Sprintf("%s.projected.sources[%d].secret", vpath, j), s, "name", use)
			}
		}
	}
	return out
}

// itemUses: a secret volume takes every key, or exactly the keys of its items.
func itemUses(path string, s map[string]any, nameField string, use func(string, map[string]any, string, string)) {
	items, _ := s["items"].([]any)
	if len(items) == 0 {
		use(path, s, nameField, "")
	}
	for k, it := range items {
		key, _ := asMap(it)["key"].(string)
		use(fmt.Sprintf("%s.items[%d].key", path, k), s, nameField, key)
	}
}

// chartSecretUses applies the chart conventions to a HelmRelease's values as Flux merges them.
func chartSecretUses(c *Cluster, o *Obj) []secretUse {
	chart := str(o.U, "spec", "chart", "spec", "chart")
	ns := str(o.U, "spec", "targetNamespace")
	if ns == "" {
		ns = o.U.GetNamespace()
	}
	var values map[string]any
	var out []secretUse
	for _, conv := range chartSecretConsumers {
		if conv.Chart != chart {
			continue
		}
		if values == nil {
			values = helmValues(c, o)
		}
		secret, where := conv.Secret, "chart "+chart
		if conv.SecretPath != "" {
			secret, _ = valueAt(values, conv.SecretPath).(string)
			where = "values " + conv.SecretPath
			if secret == "" {
				continue
			}
		}
		if len(conv.Keys) == 0 {
			out = append(out, secretUse{obj: o, namespace: ns, secret: secret, path: where})
		}
		for _, k := range conv.Keys {
			key, path := k.Default, where+" (key "+k.Default+")"
			if k.Path != "" {
				path = "values " + k.Path
				if v, _ := valueAt(values, k.Path).(string); v != "" {
					key = v
				} else {
					path += " (chart default)"
				}
			}
			out = append(out, secretUse{obj: o, namespace: ns, secret: secret, path: path, key: key})
		}
	}
	return out
}

// helmValues merges valuesFrom ConfigMaps of the tree in order, then spec.values, as
// helm-controller does (a missing ConfigMap is helm-valuesfrom's finding).
func helmValues(c *Cluster, o *Obj) map[string]any {
	merged := map[string]any{}
	vf, _, _ := unstructured.NestedSlice(o.U.Object, "spec", "valuesFrom")
	for _, e := range vf {
		m := asMap(e)
		if m["kind"] != "ConfigMap" || m["targetPath"] != nil {
			continue
		}
		cm := c.find("ConfigMap", o.U.GetNamespace(), fmt.Sprint(m["name"]))
		if cm == nil {
			continue
		}
		key, _ := m["valuesKey"].(string)
		if key == "" {
			key = "values.yaml"
		}
		raw, _, _ := unstructured.NestedString(cm.U.Object, "data", key)
		var doc map[string]any
		if yaml.Unmarshal([]byte(raw), &doc) == nil {
			deepMerge(merged, doc)
		}
	}
	if v, ok, _ := unstructured.NestedMap(o.U.Object, "spec", "values"); ok {
		deepMerge(merged, v)
	}
	return merged
}

func deepMerge(into, from map[string]any) {
	for k, v := range from {
		if fm, ok := v.(map[string]any); ok {
			if im, ok := into[k].(map[string]any); ok {
				deepMerge(im, fm)
				continue
			}
		}
		into[k] = v
	}
}

func valueAt(m map[string]any, dotted string) any {
	var cur any = m
	for _, p := range strings.Split(dotted, ".") {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[p]
	}
	return cur
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

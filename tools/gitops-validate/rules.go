package main

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

var builtinNamespaces = map[string]bool{"default": true, "kube-system": true, "kube-public": true, "kube-node-lease": true}

// checkReferences: namespaces, Helm chart sources, values ConfigMaps, VSO references.
func checkReferences(c *Cluster, rep *Report) {
	for _, o := range c.Objs {
		u := o.U
		if ns := u.GetNamespace(); ns != "" && !builtinNamespaces[ns] && c.find("Namespace", "", ns) == nil {
			rep.AddObj(o, "namespace-exists", fmt.Sprintf("namespace %s is not defined in cluster %s", ns, c.Name))
		}
		if pc := u.GetLabels()["tailscale.com/proxy-class"]; pc != "" && c.find("ProxyClass", "", pc) == nil {
			rep.AddObj(o, "tailscale-proxyclass", fmt.Sprintf("label tailscale.com/proxy-class names ProxyClass %s, which is not defined", pc))
		}
		switch u.GetKind() {
		case "HelmRelease":
			sk, sn := str(u, "spec", "chart", "spec", "sourceRef", "kind"), str(u, "spec", "chart", "spec", "sourceRef", "name")
			sns := str(u, "spec", "chart", "spec", "sourceRef", "namespace")
			if sk == "" {
				sk, sn, sns = str(u, "spec", "chartRef", "kind"), str(u, "spec", "chartRef", "name"), str(u, "spec", "chartRef", "namespace")
			}
			if sns == "" {
				sns = u.GetNamespace()
			}
			if c.find(sk, sns, sn) == nil {
				rep.AddObj(o, "helm-sourceref", fmt.Sprintf("chart source %s %s/%s does not resolve", sk, sns, sn))
			}
			vf, _, _ := unstructured.NestedSlice(u.Object, "spec", "valuesFrom")
			for _, v := range vf {
				m := v.(map[string]any)
				if opt, _ := m["optional"].(bool); opt {
					continue
				}
				if m["kind"] == "Secret" {
					rep.AddObj(o, "helm-values-not-secret", "valuesFrom a Secret: values come from Git (ConfigMap) or Vault, keep them out of Secrets in Git")
					continue
				}
				if c.find(fmt.Sprint(m["kind"]), u.GetNamespace(), fmt.Sprint(m["name"])) == nil {
					rep.AddObj(o, "helm-valuesfrom", fmt.Sprintf("valuesFrom %v %v does not resolve", m["kind"], m["name"]))
				}
			}
		case "VaultStaticSecret":
			if ref := str(u, "spec", "vaultAuthRef"); ref == "" || c.find("VaultAuth", u.GetNamespace(), ref) == nil {
				rep.AddObj(o, "vso-refs", fmt.Sprintf("vaultAuthRef %q must name a VaultAuth in namespace %s (no implicit default auth)", ref, u.GetNamespace()))
			}
		}
	}
}

// checkNamespaces: Pod Security Admission labels on every namespace.
func checkNamespaces(c *Cluster, rep *Report) {
	levels := []string{"privileged", "baseline", "restricted"}
	for _, o := range c.ofKind("Namespace") {
		l := o.U.GetLabels()
		if !slices.Contains(levels, l["pod-security.kubernetes.io/enforce"]) {
			rep.AddObj(o, "psa-labels", "namespace must set pod-security.kubernetes.io/enforce to privileged, baseline or restricted")
		}
		if l["pod-security.kubernetes.io/enforce"] != "restricted" && l["pod-security.kubernetes.io/warn"] != "restricted" {
			rep.AddObj(o, "psa-labels", "a namespace enforcing less than restricted must warn at restricted")
		}
	}
}

// checkStorage: StorageClasses and PVCs against the provider registry.
func checkStorage(c *Cluster, reg *Registry, rep *Report) {
	classes := map[string]*Obj{}
	for _, o := range c.ofKind("StorageClass") {
		u := o.U
		classes[u.GetName()] = o
		a := u.GetAnnotations()
		if a["storageclass.kubernetes.io/is-default-class"] == "true" || a["storageclass.beta.kubernetes.io/is-default-class"] == "true" {
			rep.AddObj(o, "storage-no-default", "no StorageClass may be the default in a multi-provider cluster")
		}
		p := reg.byClass[u.GetName()]
		if p == nil {
			rep.AddObj(o, "storage-registry", "StorageClass is not declared by any provider in providers/*.yaml")
			continue
		}
		if prov := str(u, "provisioner"); prov != p.Spec.Storage.CSIDriver {
			rep.AddObj(o, "storage-registry", fmt.Sprintf("provisioner %s, registry says %s for provider %s", prov, p.Spec.Storage.CSIDriver, p.Metadata.Name))
		}
		if m := str(u, "volumeBindingMode"); m != "WaitForFirstConsumer" {
			rep.AddObj(o, "storage-topology", "volumeBindingMode must be WaitForFirstConsumer, got "+m)
		}
		for _, cl := range p.Spec.Storage.Classes {
			if cl.Name == u.GetName() && cl.ReclaimPolicy != "" && str(u, "reclaimPolicy") != cl.ReclaimPolicy {
				rep.AddObj(o, "storage-registry", fmt.Sprintf("reclaimPolicy %s, registry says %s", str(u, "reclaimPolicy"), cl.ReclaimPolicy))
			}
		}
		topo, _, _ := unstructured.NestedSlice(u.Object, "allowedTopologies")
		if len(topo) == 0 {
			rep.AddObj(o, "storage-topology", "allowedTopologies must restrict volumes to the provider's EU topology ("+p.Spec.Storage.TopologyKey+")")
		}
		eu := p.EUTopologyValues()
		for _, t := range topo {
			exprs, _, _ := unstructured.NestedSlice(t.(map[string]any), "matchLabelExpressions")
			for _, e := range exprs {
				em := e.(map[string]any)
				if em["key"] != p.Spec.Storage.TopologyKey {
					rep.AddObj(o, "storage-topology", fmt.Sprintf("allowedTopologies key %v, registry topology key is %s", em["key"], p.Spec.Storage.TopologyKey))
				}
				vals, _ := em["values"].([]any)
				for _, v := range vals {
					if !eu[fmt.Sprint(v)] {
						rep.AddObj(o, "storage-topology", fmt.Sprintf("allowedTopologies value %v is not an EU %s of provider %s", v, p.Spec.Storage.TopologyLevel, p.Metadata.Name))
					}
				}
			}
		}
	}
	for _, p := range reg.Providers {
		for _, cl := range p.Spec.Storage.Classes {
			if classes[cl.Name] == nil {
				rep.Add(c.Dir, "StorageClass "+cl.Name, "storage-registry", "declared by providers/"+p.Metadata.Name+".yaml but not defined in this cluster")
			}
		}
	}
	// PVCs: class known, size >= provider minimum, consumer pinned to the class's provider.
	for _, o := range c.ofKind("PersistentVolumeClaim") {
		u := o.U
		cls := str(u, "spec", "storageClassName")
		if cls == "" {
			continue // reported by the cloudlab-pvc-storage-class policy
		}
		p := reg.byClass[cls]
		if p == nil {
			rep.AddObj(o, "storage-registry", "storageClassName "+cls+" is not a class of any provider")
			continue
		}
		size, _, _ := unstructured.NestedString(u.Object, "spec", "resources", "requests", "storage")
		switch checkVolumeSize(size, p.Spec.Storage.MinVolumeSize, p.Spec.Storage.WholeGiB) {
		case sizeInvalid:
			rep.AddObj(o, "storage-min-size", fmt.Sprintf("requests %q, which is not a Kubernetes quantity", size))
		case sizeBelowMinimum:
			rep.AddObj(o, "storage-min-size", fmt.Sprintf("requests %s, below %s's minimum volume size %s", size, p.Metadata.Name, p.Spec.Storage.MinVolumeSize))
		case sizeNotWholeGiB:
			rep.AddObj(o, "storage-whole-gib", fmt.Sprintf("requests %s, not a whole GiB: %s allocates whole GiB", size, p.Metadata.Name))
		}
		for _, w := range workloads(c) {
			if w.U.GetNamespace() != u.GetNamespace() || !podSpecUsesClaim(podSpec(w.U), u.GetName()) {
				continue
			}
			if got := pinnedProvider(podSpec(w.U), reg.Providers); got != p.Metadata.Name {
				pinned := fmt.Sprintf("is pinned to provider %q", got)
				if got == "" {
					pinned = "is not pinned to any one provider, so it may be scheduled where the volume cannot attach"
				}
				rep.AddObj(w, "storage-placement", fmt.Sprintf("mounts PVC %s of provider %s but %s (nodeSelector / required node affinity)", u.GetName(), p.Metadata.Name, pinned))
			}
		}
	}
}

func workloads(c *Cluster) []*Obj {
	var out []*Obj
	for _, o := range c.Objs {
		switch o.U.GetKind() {
		case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod":
			out = append(out, o)
		}
	}
	return out
}

func podSpec(u *unstructured.Unstructured) map[string]any {
	var path []string
	switch u.GetKind() {
	case "Pod":
		path = []string{"spec"}
	case "CronJob":
		path = []string{"spec", "jobTemplate", "spec", "template", "spec"}
	default:
		path = []string{"spec", "template", "spec"}
	}
	m, _, _ := unstructured.NestedMap(u.Object, path...)
	return m
}

func podSpecUsesClaim(ps map[string]any, claim string) bool {
	vols, _, _ := unstructured.NestedSlice(ps, "volumes")
	for _, v := range vols {
		if c, _, _ := unstructured.NestedString(v.(map[string]any), "persistentVolumeClaim", "claimName"); c == claim {
			return true
		}
	}
	return false
}

// vsoNamespace is where the platform runs the Vault Secrets Operator.
const vsoNamespace = "vault-secrets-operator-system"

// checkVSO: scoping of Vault auth (docs/security.md, property 4).
func checkVSO(c *Cluster, rep *Report) {
	type role struct {
		Name                          string   `json:"name"`
		BoundServiceAccountNames      []string `json:"boundServiceAccountNames"`
		BoundServiceAccountNamespaces []string `json:"boundServiceAccountNamespaces"`
		Audience                      string   `json:"audience"`
	}
	var roles []role
	rolesCM := c.find("ConfigMap", "vault", "vault-kubernetes-auth-roles")
	if rolesCM != nil {
		raw, _, _ := unstructured.NestedString(rolesCM.U.Object, "data", "roles.yaml")
		if err := yaml.Unmarshal([]byte(raw), &roles); err != nil {
			rep.AddObj(rolesCM, "vso-role-bound", "roles.yaml does not parse: "+err.Error())
		}
		for _, r := range roles {
			if len(r.BoundServiceAccountNames) == 0 || len(r.BoundServiceAccountNamespaces) == 0 || r.Audience == "" ||
				slices.Contains(r.BoundServiceAccountNames, "*") || slices.Contains(r.BoundServiceAccountNamespaces, "*") {
				rep.AddObj(rolesCM, "vso-role-bound", "role "+r.Name+" must bind explicit service-account names, namespaces and an audience (no \"*\")")
			}
		}
	}
	for _, kind := range []string{"VaultAuthGlobal", "VaultAuth"} {
		for _, o := range c.ofKind(kind) {
			// VSO (v1.5.0, common.isAllowedNamespace) skips allowedNamespaces for an object named
			// "default" in the operator's namespace: such a global would admit every namespace.
			if o.U.GetName() == "default" && (kind == "VaultAuthGlobal" || o.U.GetNamespace() == vsoNamespace) {
				rep.AddObj(o, "vso-default-name", kind+" must not be named \"default\": VSO exempts it from allowedNamespaces")
			}
			allowed, found, _ := unstructured.NestedStringSlice(o.U.Object, "spec", "allowedNamespaces")
			if slices.Contains(allowed, "*") {
				rep.AddObj(o, "vso-allowed-namespaces", "allowedNamespaces must list namespaces explicitly, never \"*\"")
			}
			if kind == "VaultAuthGlobal" && (!found || len(allowed) == 0) {
				rep.AddObj(o, "vso-allowed-namespaces", "VaultAuthGlobal must set an explicit, non-empty allowedNamespaces")
			}
		}
	}
	for _, o := range c.ofKind("VaultAuth") {
		u := o.U
		var global *Obj
		if gn := str(u, "spec", "vaultAuthGlobalRef", "name"); gn != "" {
			gns := str(u, "spec", "vaultAuthGlobalRef", "namespace")
			if gns == "" {
				gns = u.GetNamespace()
			}
			if global = c.find("VaultAuthGlobal", gns, gn); global == nil {
				rep.AddObj(o, "vso-refs", fmt.Sprintf("vaultAuthGlobalRef %s/%s does not resolve", gns, gn))
			} else if allowed, _, _ := unstructured.NestedStringSlice(global.U.Object, "spec", "allowedNamespaces"); !slices.Contains(allowed, u.GetNamespace()) {
				rep.AddObj(o, "vso-allowed-namespaces", fmt.Sprintf("namespace %s is not in allowedNamespaces of VaultAuthGlobal %s/%s", u.GetNamespace(), gns, gn))
			}
		}
		get := func(field string) (any, bool) {
			if v, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "spec", "kubernetes", field); ok {
				return v, true
			}
			if global != nil {
				if v, ok, _ := unstructured.NestedFieldNoCopy(global.U.Object, "spec", "kubernetes", field); ok {
					return v, true
				}
			}
			return nil, false
		}
		sa, _ := get("serviceAccount")
		if sa == nil || c.find("ServiceAccount", u.GetNamespace(), fmt.Sprint(sa)) == nil {
			rep.AddObj(o, "vso-serviceaccount", fmt.Sprintf("kubernetes.serviceAccount %v must be a ServiceAccount defined in the consuming namespace %s", sa, u.GetNamespace()))
		}
		aud, _ := get("audiences")
		if l, _ := aud.([]any); len(l) == 0 {
			rep.AddObj(o, "vso-audiences", "kubernetes.audiences must be set (here or in the VaultAuthGlobal)")
		}
		exp, ok := get("tokenExpirationSeconds")
		if n, isNum := exp.(int64); !ok || !isNum || n < 600 {
			rep.AddObj(o, "vso-token-expiry", fmt.Sprintf("kubernetes.tokenExpirationSeconds must be >= 600, got %v", exp))
		}
		if rolesCM != nil {
			rn, _ := get("role")
			idx := slices.IndexFunc(roles, func(r role) bool { return r.Name == fmt.Sprint(rn) })
			if idx < 0 {
				rep.AddObj(o, "vso-role-bound", fmt.Sprintf("role %v is not declared in ConfigMap vault/vault-kubernetes-auth-roles", rn))
			} else if r := roles[idx]; !slices.Contains(r.BoundServiceAccountNames, fmt.Sprint(sa)) || !slices.Contains(r.BoundServiceAccountNamespaces, u.GetNamespace()) {
				rep.AddObj(o, "vso-role-bound", fmt.Sprintf("Vault role %s does not bind service account %s/%v", r.Name, u.GetNamespace(), sa))
			} else if l, _ := aud.([]any); r.Audience != "" && !slices.ContainsFunc(l, func(a any) bool { return fmt.Sprint(a) == r.Audience }) {
				rep.AddObj(o, "vso-role-bound", fmt.Sprintf("kubernetes.audiences %v must include audience %s of Vault role %s", l, r.Audience, r.Name))
			}
		}
	}
}

// checkPortalRBAC: the portal reads, never writes, never sees Secrets (docs/security.md, property 6).
func checkPortalRBAC(c *Cluster, rep *Report) {
	var roles []*Obj
	for _, o := range c.ofKind("ClusterRole") {
		if o.U.GetName() == "cloudlab-portal-read" {
			roles = append(roles, o)
		}
	}
	if len(roles) == 0 {
		rep.Add(c.Dir, "ClusterRole cloudlab-portal-read", "portal-role-exists", "the portal's read-only ClusterRole is missing")
	}
	for _, o := range roles {
		checkPortalRole(o, rep)
		if _, found, _ := unstructured.NestedFieldNoCopy(o.U.Object, "aggregationRule"); found {
			rep.AddObj(o, "rbac-portal-read-only", "aggregationRule (the role's rules must be the ones written here)")
		}
	}
	// The portal's identity is bound to its read-only ClusterRole and nothing else.
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
		for _, o := range c.ofKind(kind) {
			subjects, _, _ := unstructured.NestedSlice(o.U.Object, "subjects")
			for _, sub := range subjects {
				sm, _ := sub.(map[string]any)
				if sm["kind"] == "ServiceAccount" && sm["name"] == "cloudlab-portal" && sm["namespace"] == "cloudlab-portal" &&
					(str(o.U, "roleRef", "kind") != "ClusterRole" || str(o.U, "roleRef", "name") != "cloudlab-portal-read") {
					rep.AddObj(o, "rbac-portal-read-only", fmt.Sprintf("binds the portal's ServiceAccount to %s %s (only ClusterRole cloudlab-portal-read)",
						str(o.U, "roleRef", "kind"), str(o.U, "roleRef", "name")))
				}
			}
		}
	}
}

// The portal's optional write identity: only `patch` on the Flux kinds (docs/security.md, property 6).
const portalOperatorRole = "cloudlab-portal-flux-operator"

var portalOperatorResources = map[string][]string{
	"kustomize.toolkit.fluxcd.io": {"kustomizations"},
	"helm.toolkit.fluxcd.io":      {"helmreleases"},
	"source.toolkit.fluxcd.io":    {"gitrepositories", "helmrepositories", "ocirepositories"},
}

func checkPortalOperatorRBAC(c *Cluster, rep *Report) {
	const rule = "rbac-portal-operator-patch-only"
	for _, o := range c.ofKind("ClusterRole") {
		if o.U.GetName() != portalOperatorRole {
			continue
		}
		rules, _, _ := unstructured.NestedSlice(o.U.Object, "rules")
		for i, r := range rules {
			rm := r.(map[string]any)
			list := func(k string) []string { return ruleStrings(rm, k) }
			for _, v := range list("verbs") {
				if v != "patch" {
					rep.AddObj(o, rule, fmt.Sprintf("rules[%d]: verb %q (only patch)", i, v))
				}
			}
			for _, g := range list("apiGroups") {
				allowed, ok := portalOperatorResources[g]
				if !ok {
					rep.AddObj(o, rule, fmt.Sprintf("rules[%d]: apiGroup %q is not a Flux group", i, g))
					continue
				}
				for _, res := range list("resources") {
					if !slices.Contains(allowed, res) {
						rep.AddObj(o, rule, fmt.Sprintf("rules[%d]: resource %q (only %s in %s)", i, res, strings.Join(allowed, ", "), g))
					}
				}
			}
			if len(list("nonResourceURLs")) > 0 {
				rep.AddObj(o, rule, fmt.Sprintf("rules[%d]: nonResourceURLs", i))
			}
		}
	}
	// That the read-only ServiceAccount is bound to nothing else is checkPortalRBAC's.
}

func checkPortalRole(o *Obj, rep *Report) {
	rules, _, _ := unstructured.NestedSlice(o.U.Object, "rules")
	for i, r := range rules {
		rm := r.(map[string]any)
		list := func(k string) []string { return ruleStrings(rm, k) }
		for _, v := range list("verbs") {
			if !slices.Contains([]string{"get", "list", "watch"}, v) {
				rep.AddObj(o, "rbac-portal-read-only", fmt.Sprintf("rules[%d]: verb %q (only get, list, watch)", i, v))
			}
		}
		for _, res := range append(list("resources"), list("apiGroups")...) {
			if res == "*" {
				rep.AddObj(o, "rbac-portal-read-only", fmt.Sprintf("rules[%d]: wildcard", i))
			}
		}
		for _, res := range list("resources") {
			if res == "secrets" || strings.HasPrefix(res, "secrets/") {
				rep.AddObj(o, "rbac-portal-read-only", fmt.Sprintf("rules[%d]: access to secrets", i))
			}
			if strings.Contains(res, "/") {
				rep.AddObj(o, "rbac-portal-read-only", fmt.Sprintf("rules[%d]: subresource %s (nodes/proxy, pods/exec, pods/log are out of scope)", i, res))
			}
		}
		if len(list("nonResourceURLs")) > 0 {
			rep.AddObj(o, "rbac-portal-read-only", fmt.Sprintf("rules[%d]: nonResourceURLs", i))
		}
	}
}

// ruleStrings: one string list (verbs, resources, apiGroups…) of an RBAC rule.
func ruleStrings(rule map[string]any, key string) []string {
	v, _, _ := unstructured.NestedStringSlice(rule, key)
	return v
}

package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The third-provider proof: in a temporary copy of the tree, add a provider the way
// docs/gitops/index.md says - a registry file plus overlays, no code - and validate it.
// Before the generated policy parameters are refreshed the validator must flag them (the
// registry is really read); after `--fix` the whole tree, including the new Pi-hole
// instance and its admission checks, must validate clean.

const thirdProvider = `---
apiVersion: cloudlab.dev/v1alpha1
kind: Provider
metadata:
  name: ovhcloud
spec:
  displayName: OVHcloud
  detection:
    labels:
      - key: cfke.io/provider
        value: ovhcloud
    labelPrefixes: []
    providerIDSchemes: [openstack]
  regions:
    - name: eu-west-gra
      country: FR
      eu: true
      zones: [eu-west-gra-a]
    - name: eu-central-waw
      country: PL
      eu: true
      zones: [eu-central-waw-a]
    - name: ca-east-bhs
      country: CA
      eu: false
      zones: [ca-east-bhs-a]
  storage:
    csiDriver: cinder.csi.openstack.org
    topologyKey: topology.cinder.csi.openstack.org/zone
    topologyLevel: zone
    minVolumeSize: 1Gi
    wholeGiB: true
    classes:
      - name: csi-cinder-high-speed
        reclaimPolicy: Delete
        allowVolumeExpansion: true
`

const thirdStorageClass = `---
# yaml-language-server: $schema=https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/master-standalone-strict/storageclass-storage-v1.json
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: csi-cinder-high-speed
  labels:
    cloudlab.dev/provider: ovhcloud
provisioner: cinder.csi.openstack.org
reclaimPolicy: Delete
allowVolumeExpansion: true
volumeBindingMode: WaitForFirstConsumer
allowedTopologies:
  - matchLabelExpressions:
      - key: topology.cinder.csi.openstack.org/zone
        values: [eu-west-gra-a, eu-central-waw-a]
`

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

func editFile(path string, edit func(string) string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out := edit(string(b))
	if out == string(b) {
		return fmt.Errorf("%s: edit changed nothing", path)
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// addThirdProvider performs the documented steps on the copy at dir.
func addThirdProvider(dir string) error {
	g := filepath.Join(dir, "gitops")
	steps := []error{
		// 1. the registry entry
		writeFile(filepath.Join(dir, "providers", "ovhcloud.yaml"), thirdProvider),
		// 2. its StorageClass
		writeFile(filepath.Join(g, "infrastructure/storage/ovhcloud/storageclass.yaml"), thirdStorageClass),
		writeFile(filepath.Join(g, "infrastructure/storage/ovhcloud/kustomization.yaml"),
			"---\n# yaml-language-server: $schema=https://json.schemastore.org/kustomization\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - storageclass.yaml\n"),
		editFile(filepath.Join(g, "infrastructure/storage/kustomization.yaml"), func(s string) string {
			return s + "  - ovhcloud\n"
		}),
	}
	// 3. its provider component, derived from an existing one with the provider's values
	comp, err := os.ReadFile(filepath.Join(g, "components/provider-scaleway/kustomization.yaml"))
	if err == nil {
		s := strings.NewReplacer("scaleway", "ovhcloud", "scw-bssd", "csi-cinder-high-speed",
			"[fr-par, nl-ams, pl-waw]", "[eu-west-gra, eu-central-waw]").Replace(string(comp))
		steps = append(steps, writeFile(filepath.Join(g, "components/provider-ovhcloud/kustomization.yaml"), s))
	}
	// 4. the Pi-hole instance overlay and its Flux Kustomization in each cluster
	ov, err2 := os.ReadFile(filepath.Join(g, "apps/pihole/scaleway/kustomization.yaml"))
	if err2 == nil {
		steps = append(steps, writeFile(filepath.Join(g, "apps/pihole/ovhcloud/kustomization.yaml"), strings.ReplaceAll(string(ov), "scaleway", "ovhcloud")))
	}
	for _, c := range []string{"cloudlab", "lab"} {
		steps = append(steps, editFile(filepath.Join(g, "clusters", c, "apps.yaml"), func(s string) string {
			i := strings.Index(s, "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps-pihole-scaleway")
			if i < 0 {
				return s
			}
			return s + "---\n" + strings.ReplaceAll(yamlDocumentAt(s, i), "scaleway", "ovhcloud")
		}))
	}
	// 5. a tailnet ProxyClass on the provider's nodes, and let the new namespace use Vault: shared auth + the Vault role binding
	steps = append(steps,
		editFile(filepath.Join(g, "platform/tailscale/proxyclass.yaml"), func(s string) string {
			i := strings.Index(s, "apiVersion: tailscale.com/v1alpha1\nkind: ProxyClass\nmetadata:\n  name: provider-scaleway")
			if i < 0 {
				return s
			}
			return s + "---\n" + strings.ReplaceAll(s[i:], "scaleway", "ovhcloud")
		}),
		editFile(filepath.Join(g, "platform/vso/config/base/vaultauthglobal.yaml"), func(s string) string {
			return strings.Replace(s, "    - pihole-scaleway\n", "    - pihole-scaleway\n    - pihole-ovhcloud\n", 1)
		}),
		editFile(filepath.Join(g, "platform/vault/configmap.yaml"), func(s string) string {
			return strings.Replace(s, "[pihole-hetzner, pihole-scaleway]", "[pihole-hetzner, pihole-scaleway, pihole-ovhcloud]", 1)
		}),
	)
	for _, e := range append(steps, err, err2) {
		if e != nil {
			return e
		}
	}
	return nil
}

// RunThirdProvider returns a description of what failed, or "" when the proof holds.
func RunThirdProvider(root, crdDir string) (string, error) {
	tmp, err := os.MkdirTemp("", "cloudlab-third-provider-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cfg, err := loadConfig(root)
	if err != nil {
		return "", err
	}
	for _, d := range cfg.Folders() {
		if err := copyTree(filepath.Join(root, d), filepath.Join(tmp, d)); err != nil {
			return "", err
		}
	}
	if err := addThirdProvider(tmp); err != nil {
		return "", err
	}
	v, err := NewValidator(tmp, crdDir)
	if err != nil {
		return "", err
	}
	// Before the parameters are regenerated, the stale EU-region list must both be flagged
	// and make the admission policy reject the new instance - proof the policy reads data.
	before := v.Run()
	sawSync, sawPolicy := false, false
	for _, f := range before.Findings {
		switch {
		case f.Rule == "generated-in-sync":
			sawSync = true
		case f.Rule == "policy cloudlab-eu-workload-region" && strings.Contains(f.Object, "pihole-ovhcloud/"):
			sawPolicy = true
		default:
			return fmt.Sprintf("before --fix, unexpected finding: %s", f), nil
		}
	}
	if !sawSync || !sawPolicy {
		return fmt.Sprintf("before --fix, expected generated-in-sync and an EU-region rejection of pihole-ovhcloud, got %v", before.Findings), nil
	}
	if err := v.WriteGenerated(); err != nil {
		return "", err
	}
	v, _ = NewValidator(tmp, crdDir)
	after := v.Run()
	if len(after.Findings) != 0 {
		return fmt.Sprintf("after --fix, expected no findings, got %v", after.Findings), nil
	}
	found := false
	for _, c := range v.Clusters {
		for _, o := range c.Objs {
			if o.U.GetKind() == "PersistentVolumeClaim" && o.U.GetNamespace() == "pihole-ovhcloud" && str(o.U, "spec", "storageClassName") == "csi-cinder-high-speed" {
				found = true
			}
		}
	}
	if !found {
		return "the ovhcloud Pi-hole instance was not rendered with the ovhcloud storage class", nil
	}
	return "", nil
}

// yamlDocumentAt is the YAML document of a multi-document file that starts at offset i, up to
// the next document separator or the end: other documents may follow the copied one.
func yamlDocumentAt(s string, i int) string {
	doc := s[i:]
	if j := strings.Index(doc, "\n---"); j >= 0 {
		return doc[:j+1]
	}
	return doc
}

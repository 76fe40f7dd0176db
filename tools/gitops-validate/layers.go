package main

import (
	"strings"
)

// Layer is what a finding judges, and so who must care about it (docs/adr/1012-validation-layers.md).
type Layer string

const (
	// LayerCorrectness: the tree builds as Flux builds it, objects pass the API server's schemas
	// and the tree's own admission policies, references and dependsOn resolve. Always on.
	LayerCorrectness Layer = "correctness"
	// LayerPlatform: the platform's policies (provider registry rules for storage and pinning,
	// VSO scoping, EU locality, the portal's RBAC shape). On where the registry is present.
	LayerPlatform Layer = "platform"
	// LayerConventions: this repository's house style and the objects it expects of itself.
	// Only where the repository opts in.
	LayerConventions Layer = "conventions"
)

// ruleLayers assigns every rule to its layer. A rule missing here is a bug that
// TestEveryRuleHasALayer finds.
var ruleLayers = map[string]Layer{
	// Kubernetes and Flux correctness.
	"kustomize-build":      LayerCorrectness,
	"flux-path":            LayerCorrectness,
	"flux-sourceref":       LayerCorrectness,
	"flux-dependson":       LayerCorrectness,
	"flux-ownership":       LayerCorrectness,
	"flux-postbuild":       LayerCorrectness,
	"schema":               LayerCorrectness,
	"namespace-exists":     LayerCorrectness,
	"tailscale-proxyclass": LayerCorrectness,
	"helm-sourceref":       LayerCorrectness,
	"helm-valuesfrom":      LayerCorrectness,
	"policy-compile":       LayerCorrectness,
	"policy-binding":       LayerCorrectness,
	// Platform policies.
	"helm-values-not-secret":          LayerPlatform,
	"psa-labels":                      LayerPlatform,
	"storage-no-default":              LayerPlatform,
	"storage-registry":                LayerPlatform,
	"storage-topology":                LayerPlatform,
	"storage-min-size":                LayerPlatform,
	"storage-whole-gib":               LayerPlatform,
	"storage-placement":               LayerPlatform,
	"vso-refs":                        LayerPlatform,
	"vso-role-bound":                  LayerPlatform,
	"vso-default-name":                LayerPlatform,
	"vso-allowed-namespaces":          LayerPlatform,
	"vso-serviceaccount":              LayerPlatform,
	"vso-audiences":                   LayerPlatform,
	"vso-token-expiry":                LayerPlatform,
	"secret-contract-declared":        LayerPlatform,
	"secret-contract-keys":            LayerPlatform,
	"secret-source":                   LayerPlatform,
	"vso-connection-tls":              LayerPlatform,
	"rbac-portal-read-only":           LayerPlatform,
	"rbac-portal-operator-patch-only": LayerPlatform,
	"netpol-default-deny":             LayerPlatform,
	"netpol-service-consumers":        LayerPlatform,
	"netpol-egress-matched":           LayerPlatform,
	// House conventions.
	"file-conventions":   LayerConventions,
	"generated-in-sync":  LayerConventions,
	"portal-role-exists": LayerConventions,
}

// policyRulePrefix names findings of the tree's own ValidatingAdmissionPolicies: the API server
// enforces them on whatever the tree applies, so they are correctness wherever they are defined.
const policyRulePrefix = "policy "

// layerOf is the layer of a rule; ok is false for a rule nobody assigned.
func layerOf(rule string) (Layer, bool) {
	if strings.HasPrefix(rule, policyRulePrefix) {
		return LayerCorrectness, true
	}
	l, ok := ruleLayers[rule]
	if !ok {
		return LayerCorrectness, false
	}
	return l, true
}

// Layers is the set of layers a run reports.
type Layers map[Layer]bool

// layersFor resolves the configuration against the repository: platform "auto" is on exactly
// when the registry folder exists.
func layersFor(c *Config, registryPresent bool) Layers {
	l := Layers{LayerCorrectness: true}
	l[LayerPlatform] = c.Platform == platformOn || (c.Platform == platformAuto && registryPresent)
	l[LayerConventions] = c.Conventions
	return l
}

// String lists the layers in their fixed order, e.g. "correctness, platform".
func (l Layers) String() string {
	var on []string
	for _, x := range []Layer{LayerCorrectness, LayerPlatform, LayerConventions} {
		if l[x] {
			on = append(on, string(x))
		}
	}
	return strings.Join(on, ", ")
}

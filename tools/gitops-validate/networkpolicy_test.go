package main

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// netpolCluster renders YAML documents into a cluster as the tree's build would.
func netpolCluster(t *testing.T, docs ...string) *Cluster {
	t.Helper()
	c := &Cluster{Name: "test", Dir: "test"}
	for _, d := range docs {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatal(err)
		}
		c.Objs = append(c.Objs, &Obj{U: u, Dir: "test", Cluster: "test"})
	}
	return c
}

func netpolFindings(c *Cluster) []string {
	rep := &Report{}
	checkNetworkPolicies(c, rep)
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.String())
	}
	return out
}

const (
	nsApp     = "{apiVersion: v1, kind: Namespace, metadata: {name: app}}"
	nsClient  = "{apiVersion: v1, kind: Namespace, metadata: {name: client, labels: {team: web}}}"
	denyApp   = "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: app}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}"
	denyCli   = "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: client}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}}"
	deployApp = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: app}, spec: {selector: {matchLabels: {app: api}}, template: {metadata: {labels: {app: api, tier: backend}}, spec: {containers: [{name: api, image: api}]}}}}"
	svcApp    = "{apiVersion: v1, kind: Service, metadata: {name: api, namespace: app}, spec: {selector: {app: api}, ports: [{port: 80}]}}"
	deployCli = "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: client}, spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}}}"
	egressCli = "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow-api, namespace: client}, spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: app}}, podSelector: {matchLabels: {app: api}}}]}]}}"
	// Selects the Deployment's pods by a label the Service's selector does not name: the pods are
	// found through the rendered pod template, not the selector text.
	ingressApp = "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow-web, namespace: app}, spec: {podSelector: {matchLabels: {tier: backend}}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchLabels: {team: web}}, podSelector: {matchLabels: {app: web}}}]}]}}"
)

func TestNetworkPoliciesFencedTreePasses(t *testing.T) {
	c := netpolCluster(t, nsApp, nsClient, denyApp, denyCli, deployApp, svcApp, deployCli, egressCli, ingressApp)
	if got := netpolFindings(c); len(got) != 0 {
		t.Fatalf("expected no findings, got:\n%s", strings.Join(got, "\n"))
	}
}

func TestNamespaceWithoutDefaultDenyIsNamed(t *testing.T) {
	c := netpolCluster(t, nsApp, nsClient, denyApp, deployApp, svcApp, ingressApp)
	got := strings.Join(netpolFindings(c), "\n")
	if !strings.Contains(got, "Namespace client: [netpol-default-deny] namespace client") {
		t.Fatalf("expected namespace client named, got:\n%s", got)
	}
	if strings.Contains(got, "namespace app has no") {
		t.Fatalf("namespace app has its default-deny, got:\n%s", got)
	}
}

func TestServiceConsumers(t *testing.T) {
	// No ingress at all: the Service is unreachable by design of nobody.
	got := strings.Join(netpolFindings(netpolCluster(t, nsApp, denyApp, deployApp, svcApp)), "\n")
	if !strings.Contains(got, "Service app/api: [netpol-service-consumers]") {
		t.Fatalf("expected Service app/api named, got:\n%s", got)
	}
	// An ingress rule without `from` admits everyone and names no one.
	open := "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: allow-all, namespace: app}, spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}}"
	got = strings.Join(netpolFindings(netpolCluster(t, nsApp, denyApp, deployApp, svcApp, open)), "\n")
	if !strings.Contains(got, "[netpol-service-consumers]") {
		t.Fatalf("a rule without from must not count as naming consumers, got:\n%s", got)
	}
	// A policy for other pods does not name the Service's consumers.
	other := strings.ReplaceAll(ingressApp, "tier: backend", "tier: frontend")
	got = strings.Join(netpolFindings(netpolCluster(t, nsApp, nsClient, denyApp, denyCli, deployApp, svcApp, other)), "\n")
	if !strings.Contains(got, "[netpol-service-consumers]") {
		t.Fatalf("a policy selecting other pods must not count, got:\n%s", got)
	}
	// Declared public: no finding.
	public := strings.Replace(svcApp, "namespace: app}", "namespace: app, annotations: {cloudlab.dev/network-public: status page}}", 1)
	if got := netpolFindings(netpolCluster(t, nsApp, denyApp, deployApp, public)); len(got) != 0 {
		t.Fatalf("a public Service needs no consumers, got:\n%s", strings.Join(got, "\n"))
	}
}

func TestEgressNeedsIngressOnTheOtherSide(t *testing.T) {
	c := netpolCluster(t, nsApp, nsClient, denyApp, denyCli, deployApp, deployCli, egressCli)
	got := strings.Join(netpolFindings(c), "\n")
	if !strings.Contains(got, "NetworkPolicy client/allow-api: [netpol-egress-matched] egress[0] allows traffic to pods app=api in namespace app") {
		t.Fatalf("expected the unmatched egress named, got:\n%s", got)
	}
	// An ingress admitting another namespace does not match.
	wrongNS := strings.ReplaceAll(ingressApp, "team: web", "team: ops")
	got = strings.Join(netpolFindings(netpolCluster(t, nsApp, nsClient, denyApp, denyCli, deployApp, deployCli, egressCli, wrongNS)), "\n")
	if !strings.Contains(got, "[netpol-egress-matched]") {
		t.Fatalf("an ingress from another namespace must not match, got:\n%s", got)
	}
	// An ingress admitting other pods of the right namespace does not match either.
	wrongPods := strings.ReplaceAll(ingressApp, "podSelector: {matchLabels: {app: web}}", "podSelector: {matchLabels: {app: batch}}")
	got = strings.Join(netpolFindings(netpolCluster(t, nsApp, nsClient, denyApp, denyCli, deployApp, deployCli, egressCli, wrongPods)), "\n")
	if !strings.Contains(got, "[netpol-egress-matched]") {
		t.Fatalf("an ingress from other pods must not match, got:\n%s", got)
	}
}

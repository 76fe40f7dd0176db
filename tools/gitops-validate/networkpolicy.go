package main

import (
	"fmt"
	"maps"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// PublicServiceAnnotation declares a Service reachable by anyone who can route to it; its value
// says why. Every other Service must have its consumers named by a NetworkPolicy
// (docs/adr/1015-network-policy.md).
const PublicServiceAnnotation = "cloudlab.dev/network-public"

// namespaceNameLabel is set on every namespace by the API server; policies name namespaces by it.
const namespaceNameLabel = "kubernetes.io/metadata.name"

// netpol is one parsed NetworkPolicy of the rendered tree.
type netpol struct {
	obj  *Obj
	spec networkingv1.NetworkPolicySpec
}

func (p netpol) has(t networkingv1.PolicyType) bool {
	// Without policyTypes the API server derives them: Ingress always, Egress when egress rules exist.
	if len(p.spec.PolicyTypes) == 0 {
		return t == networkingv1.PolicyTypeIngress || len(p.spec.Egress) > 0
	}
	return slices.Contains(p.spec.PolicyTypes, t)
}

// checkNetworkPolicies: traffic is fenced. Every namespace the tree creates denies by default
// in both directions, every Service names who may reach it (or is declared public), and
// every egress to another namespace of the tree is matched by an ingress on the other side.
// Selectors are matched against pod labels as the rest of the validator matches them
// (labelSelectorMatches); pods are known from the workloads the tree renders, or, for charts
// the tree cannot render, from the selector's own matchLabels.
func checkNetworkPolicies(c *Cluster, rep *Report) {
	byNS := map[string][]netpol{}
	for _, o := range c.ofKind("NetworkPolicy") {
		var np networkingv1.NetworkPolicy
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.U.Object, &np); err != nil {
			continue // the schema check reports it
		}
		byNS[o.U.GetNamespace()] = append(byNS[o.U.GetNamespace()], netpol{o, np.Spec})
	}
	nsLabels := map[string]map[string]string{}
	for _, o := range c.ofKind("Namespace") {
		l := maps.Clone(o.U.GetLabels())
		if l == nil {
			l = map[string]string{}
		}
		l[namespaceNameLabel] = o.U.GetName()
		nsLabels[o.U.GetName()] = l
	}
	for _, o := range c.ofKind("Namespace") {
		if !slices.ContainsFunc(byNS[o.U.GetName()], isDefaultDeny) {
			rep.AddObj(o, "netpol-default-deny", fmt.Sprintf("namespace %s has no NetworkPolicy selecting every pod (podSelector: {}) with policyTypes [Ingress, Egress] and no rules", o.U.GetName()))
		}
	}
	for _, o := range c.ofKind("Service") {
		checkServiceConsumers(c, o, byNS[o.U.GetNamespace()], rep)
	}
	for ns, pols := range byNS {
		for _, p := range pols {
			checkEgressMatched(c, p, ns, nsLabels, byNS, rep)
		}
	}
}

func isDefaultDeny(p netpol) bool {
	s := p.spec
	return len(s.PodSelector.MatchLabels) == 0 && len(s.PodSelector.MatchExpressions) == 0 &&
		p.has(networkingv1.PolicyTypeIngress) && p.has(networkingv1.PolicyTypeEgress) &&
		len(s.Ingress) == 0 && len(s.Egress) == 0
}

// checkServiceConsumers: some policy of the Service's namespace admits ingress to its pods from
// a named peer (a rule without `from` admits everyone and names no one).
func checkServiceConsumers(c *Cluster, svc *Obj, pols []netpol, rep *Report) {
	if _, public := svc.U.GetAnnotations()[PublicServiceAnnotation]; public {
		return
	}
	sel, _, _ := unstructured.NestedStringMap(svc.U.Object, "spec", "selector")
	if len(sel) == 0 {
		return // no selector: endpoints are managed by hand, there are no pods to fence
	}
	pods := podLabelSets(c, svc.U.GetNamespace(), &metav1.LabelSelector{MatchLabels: sel})
	for _, p := range pols {
		if !p.has(networkingv1.PolicyTypeIngress) || !selectsAny(&p.spec.PodSelector, pods) {
			continue
		}
		for _, r := range p.spec.Ingress {
			if len(r.From) > 0 {
				return
			}
		}
	}
	rep.AddObj(svc, "netpol-service-consumers", fmt.Sprintf("no NetworkPolicy in namespace %s admits ingress to the pods it selects (%s) from a named peer: name its consumers in an ingress rule's `from`, or annotate it %s with the reason it is public",
		svc.U.GetNamespace(), labels.FormatLabels(sel), PublicServiceAnnotation))
}

// checkEgressMatched: an egress rule of p that names another namespace of the tree needs, in
// that namespace, an ingress rule that admits p's pods to the pods the egress names. An empty
// namespaceSelector (every namespace, e.g. Prometheus scraping) and namespaces the tree does
// not create (kube-system) have no single other side to check.
func checkEgressMatched(c *Cluster, p netpol, ns string, nsLabels map[string]map[string]string, byNS map[string][]netpol, rep *Report) {
	if !p.has(networkingv1.PolicyTypeEgress) {
		return
	}
	sources := podLabelSets(c, ns, &p.spec.PodSelector)
	for i, r := range p.spec.Egress {
		for _, peer := range r.To {
			nsSel := peer.NamespaceSelector
			if nsSel == nil || (len(nsSel.MatchLabels) == 0 && len(nsSel.MatchExpressions) == 0) {
				continue
			}
			for _, target := range slices.Sorted(maps.Keys(nsLabels)) {
				if target == ns || !labelSelectorMatches(nsSel, nsLabels[target]) {
					continue
				}
				var targets []map[string]string
				if peer.PodSelector != nil {
					targets = podLabelSets(c, target, peer.PodSelector)
				}
				if !ingressAdmits(byNS[target], targets, nsLabels[ns], sources) {
					what := "its pods"
					if peer.PodSelector != nil {
						what = "pods " + metav1.FormatLabelSelector(peer.PodSelector)
					}
					rep.AddObj(p.obj, "netpol-egress-matched", fmt.Sprintf("egress[%d] allows traffic to %s in namespace %s, but no NetworkPolicy there admits ingress from namespace %s (pods %s)",
						i, what, target, ns, metav1.FormatLabelSelector(&p.spec.PodSelector)))
				}
			}
		}
	}
}

// ingressAdmits: some policy selecting one of targets (nil: any pod of the namespace) has an
// ingress rule whose peer admits the source namespace and one of the source pods.
func ingressAdmits(pols []netpol, targets []map[string]string, srcNS map[string]string, sources []map[string]string) bool {
	for _, q := range pols {
		if !q.has(networkingv1.PolicyTypeIngress) || (targets != nil && !selectsAny(&q.spec.PodSelector, targets)) {
			continue
		}
		for _, r := range q.spec.Ingress {
			for _, from := range r.From {
				if from.NamespaceSelector == nil || !labelSelectorMatches(from.NamespaceSelector, srcNS) {
					continue // a peer without namespaceSelector is of the policy's own namespace
				}
				if from.PodSelector == nil || selectsAny(from.PodSelector, sources) {
					return true
				}
			}
		}
	}
	return false
}

// podLabelSets: the label sets of the pods sel selects in ns, from the pod templates the tree
// renders there; where none match (a chart's pods), the selector's matchLabels stand for them.
func podLabelSets(c *Cluster, ns string, sel *metav1.LabelSelector) []map[string]string {
	var out []map[string]string
	for _, w := range workloads(c) {
		if w.U.GetNamespace() != ns {
			continue
		}
		l, _, _ := unstructured.NestedStringMap(w.U.Object, podTemplateLabelsPath(w.U.GetKind())...)
		if labelSelectorMatches(sel, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = append(out, maps.Clone(sel.MatchLabels))
	}
	return out
}

func podTemplateLabelsPath(kind string) []string {
	switch kind {
	case "Pod":
		return []string{"metadata", "labels"}
	case "CronJob":
		return []string{"spec", "jobTemplate", "spec", "template", "metadata", "labels"}
	default:
		return []string{"spec", "template", "metadata", "labels"}
	}
}

func selectsAny(sel *metav1.LabelSelector, pods []map[string]string) bool {
	return slices.ContainsFunc(pods, func(l map[string]string) bool { return labelSelectorMatches(sel, l) })
}

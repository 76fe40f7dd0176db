package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	admv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/cel/environment"
)

// The policies are evaluated with the API server's own validating-admission-policy code
// (k8s.io/apiserver/pkg/admission/plugin/policy/validating: compiler, variables, validations,
// messageExpressions). Matching (resource rules, namespace/object selectors, paramRef) is
// done here, for CREATE of each rendered object; the lab's server-side dry-run covers the rest.

type compiledPolicy struct {
	policy    *admv1.ValidatingAdmissionPolicy
	validator validating.Validator
	obj       *Obj
}

func compilePolicy(p *admv1.ValidatingAdmissionPolicy) validating.Validator {
	hasParam := p.Spec.ParamKind != nil
	opt := plugincel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: true}
	msgOpt := plugincel.OptionalVariableDeclarations{HasParams: hasParam, HasAuthorizer: false}
	env := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	comp, err := plugincel.NewCompositedCompiler(env)
	if err != nil {
		return validating.NewValidator(nil, nil, nil, nil, p.Spec.FailurePolicy, err)
	}
	vars := make([]plugincel.NamedExpressionAccessor, len(p.Spec.Variables))
	for i, v := range p.Spec.Variables {
		vars[i] = &validating.Variable{Name: v.Name, Expression: v.Expression}
	}
	comp.CompileAndStoreVariables(vars, opt, environment.StoredExpressions)
	vals := make([]plugincel.ExpressionAccessor, len(p.Spec.Validations))
	msgs := make([]plugincel.ExpressionAccessor, len(p.Spec.Validations))
	for i, v := range p.Spec.Validations {
		vals[i] = &validating.ValidationCondition{Expression: v.Expression, Message: v.Message, Reason: v.Reason}
		if v.MessageExpression != "" {
			msgs[i] = &validating.MessageExpressionCondition{MessageExpression: v.MessageExpression}
		}
	}
	return validating.NewValidator(
		comp.CompileCondition(vals, opt, environment.StoredExpressions),
		nil,
		comp.CompileCondition(nil, opt, environment.StoredExpressions),
		comp.CompileCondition(msgs, msgOpt, environment.StoredExpressions),
		p.Spec.FailurePolicy, nil)
}

func resourceOf(kind string) string {
	k := strings.ToLower(kind)
	switch {
	case strings.HasSuffix(k, "y"):
		return k[:len(k)-1] + "ies"
	case strings.HasSuffix(k, "s"):
		return k + "es"
	}
	return k + "s"
}

func ruleMatches(rules []admv1.NamedRuleWithOperations, gvk schema.GroupVersionKind) bool {
	res := resourceOf(gvk.Kind)
	for _, r := range rules {
		in := func(list []string, v string) bool { return slices.Contains(list, "*") || slices.Contains(list, v) }
		ops := false
		for _, op := range r.Operations {
			ops = ops || op == admv1.Create || op == admv1.OperationAll
		}
		if ops && in(r.APIGroups, gvk.Group) && in(r.APIVersions, gvk.Version) && in(r.Resources, res) {
			return true
		}
	}
	return false
}

// matchSelectorMatches: a policy's or binding's namespace/object selector. The API server
// defaults an unset one to {} (every object), which a nil selector by itself does not mean.
func matchSelectorMatches(sel *metav1.LabelSelector, l map[string]string) bool {
	if sel == nil {
		sel = &metav1.LabelSelector{}
	}
	return labelSelectorMatches(sel, l)
}

func toTyped(u *unstructured.Unstructured, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into)
}

// checkPolicies evaluates every bound policy of the cluster against every object in it,
// plus `extra` (the fixtures), applied as `username`.
func checkPolicies(c *Cluster, rep *Report, extra []*Obj, username string) {
	var policies []compiledPolicy
	for _, o := range c.ofKind("ValidatingAdmissionPolicy") {
		p := &admv1.ValidatingAdmissionPolicy{}
		if err := toTyped(o.U, p); err != nil {
			rep.AddObj(o, "policy-compile", err.Error())
			continue
		}
		v := validating.Validator(compilePolicy(p))
		policies = append(policies, compiledPolicy{p, v, o})
	}
	var bindings []*admv1.ValidatingAdmissionPolicyBinding
	bindingObjs := map[*admv1.ValidatingAdmissionPolicyBinding]*Obj{}
	for _, o := range c.ofKind("ValidatingAdmissionPolicyBinding") {
		b := &admv1.ValidatingAdmissionPolicyBinding{}
		if err := toTyped(o.U, b); err != nil {
			rep.AddObj(o, "policy-compile", err.Error())
			continue
		}
		if !slices.ContainsFunc(policies, func(p compiledPolicy) bool { return p.policy.Name == b.Spec.PolicyName }) {
			rep.AddObj(o, "policy-binding", "binds policy "+b.Spec.PolicyName+" which is not defined")
		}
		bindings = append(bindings, b)
		bindingObjs[b] = o
	}
	for _, p := range policies {
		if !slices.ContainsFunc(bindings, func(b *admv1.ValidatingAdmissionPolicyBinding) bool { return b.Spec.PolicyName == p.policy.Name }) {
			rep.AddObj(p.obj, "policy-binding", "policy has no binding, so it is never enforced")
		}
	}
	nsLabels := map[string]map[string]string{}
	for _, o := range c.ofKind("Namespace") {
		nsLabels[o.U.GetName()] = o.U.GetLabels()
	}
	objs := append(slices.Clone(c.Objs), extra...)
	for _, o := range extra {
		if o.U.GetKind() == "Namespace" {
			nsLabels[o.U.GetName()] = o.U.GetLabels()
		}
	}
	userInfo := &user.DefaultInfo{Name: username}
	for _, o := range objs {
		gvk := o.U.GroupVersionKind()
		for _, p := range policies {
			if p.policy.Spec.MatchConstraints == nil || !ruleMatches(p.policy.Spec.MatchConstraints.ResourceRules, gvk) {
				continue
			}
			if mc := p.policy.Spec.MatchConstraints; !matchSelectorMatches(mc.NamespaceSelector, nsLabels[o.U.GetNamespace()]) || !matchSelectorMatches(mc.ObjectSelector, o.U.GetLabels()) {
				continue
			}
			for _, b := range bindings {
				if b.Spec.PolicyName != p.policy.Name {
					continue
				}
				if mr := b.Spec.MatchResources; mr != nil {
					if mr.NamespaceSelector != nil && (o.U.GetNamespace() == "" || !matchSelectorMatches(mr.NamespaceSelector, nsLabels[o.U.GetNamespace()])) {
						continue
					}
					if !matchSelectorMatches(mr.ObjectSelector, o.U.GetLabels()) {
						continue
					}
				}
				var params runtime.Object
				if b.Spec.ParamRef != nil {
					po := c.find(p.policy.Spec.ParamKind.Kind, b.Spec.ParamRef.Namespace, b.Spec.ParamRef.Name)
					if po == nil {
						rep.AddObj(bindingObjs[b], "policy-binding", "paramRef does not resolve")
						continue
					}
					params = po.U
				}
				evaluate(p, b, o, params, nsLabels, userInfo, rep)
			}
		}
	}
}

func evaluate(p compiledPolicy, b *admv1.ValidatingAdmissionPolicyBinding, o *Obj, params runtime.Object, nsLabels map[string]map[string]string, ui user.Info, rep *Report) {
	gvk := o.U.GroupVersionKind()
	gvr := gvk.GroupVersion().WithResource(resourceOf(gvk.Kind))
	attrs := admission.NewAttributesRecord(o.U, nil, gvk, o.U.GetNamespace(), o.U.GetName(), gvr, "", admission.Create, &metav1.CreateOptions{}, false, ui)
	va := &admission.VersionedAttributes{Attributes: attrs, VersionedKind: gvk, VersionedObject: o.U}
	var ns *corev1.Namespace
	if n := o.U.GetNamespace(); n != "" {
		ns = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: nsLabels[n]}}
	}
	res := p.validator.Validate(context.Background(), gvr, va, params, ns, celconfig.RuntimeCELCostBudget, nil)
	for _, d := range res.Decisions {
		if d.Action == validating.ActionDeny {
			msg := d.Message
			if d.Evaluation == validating.EvalError {
				msg = "policy evaluation error: " + msg
			}
			rep.AddObj(o, "policy "+p.policy.Name, fmt.Sprintf("%s (binding %s)", msg, b.Name))
		}
	}
}

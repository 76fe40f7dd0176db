package main

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// labelSelectorMatches is the validator's one label-selector match, with apimachinery's
// meaning: a nil selector matches nothing, an empty one everything, and a selector the API
// server would reject (an unknown operator, In without values, Exists with values, an invalid
// key or value) matches nothing. The TypeScript twin is labelSelectorMatches in
// plugins/multi-provider-common/src/kube/labelSelector.ts (conformance/label-selector).
func labelSelectorMatches(sel *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(l))
}

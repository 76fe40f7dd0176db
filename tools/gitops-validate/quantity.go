package main

import (
	"math/big"

	"k8s.io/apimachinery/pkg/api/resource"
)

// parseQuantity is the validator's one reading of a Kubernetes quantity ("10Gi", "1.5e3",
// "100m"): apimachinery's parser, the grammar the API server applies. The TypeScript twin in
// plugins/multi-provider-common/src/kube/quantity.ts runs the same vectors
// (conformance/quantity).
func parseQuantity(text string) (resource.Quantity, error) {
	return resource.ParseQuantity(text)
}

var gibBytes = big.NewInt(1 << 30)

// isWholeGiB reports whether q is an exact multiple of 1 GiB, computed on the exact decimal so
// "10.5Gi" and "1e10" are not rounded into whole numbers first.
func isWholeGiB(q resource.Quantity) bool {
	d := q.AsDec()
	unscaled := new(big.Int).Set(d.UnscaledBig())
	scale := int64(d.Scale())
	if scale <= 0 {
		unscaled.Mul(unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(-scale), nil))
		return new(big.Int).Mod(unscaled, gibBytes).Sign() == 0
	}
	// unscaled / 10^scale is a multiple of 2^30 exactly when unscaled is a multiple of 2^30·10^scale.
	m := new(big.Int).Mul(gibBytes, new(big.Int).Exp(big.NewInt(10), big.NewInt(scale), nil))
	return new(big.Int).Mod(unscaled, m).Sign() == 0
}

package main

// Verdicts of checkVolumeSize; the same words as the TypeScript rule and conformance/provider-minimum-size.
const (
	sizeOK           = "ok"
	sizeBelowMinimum = "below-minimum"
	sizeNotWholeGiB  = "not-whole-gib"
	sizeInvalid      = "invalid-size"
)

// checkVolumeSize judges a requested volume size against a provider's storage facts: below the
// minimum volume size, or (for providers that allocate whole GiB) not a whole GiB. A size below
// the minimum is only that: the provider creates a volume of the minimum size, so whether the
// request was a whole GiB no longer matters. An empty minVolumeSize means no minimum.
func checkVolumeSize(requested, minVolumeSize string, wholeGiB bool) string {
	q, err := parseQuantity(requested)
	if err != nil {
		return sizeInvalid
	}
	if minVolumeSize != "" {
		if min, err := parseQuantity(minVolumeSize); err == nil && q.Cmp(min) < 0 {
			return sizeBelowMinimum
		}
	}
	if wholeGiB && !isWholeGiB(q) {
		return sizeNotWholeGiB
	}
	return sizeOK
}

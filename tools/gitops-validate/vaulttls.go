package main

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// checkVaultConnectionTLS: VSO reaches Vault over TLS and verifies it against the platform CA
// (docs/adr/1016-vault-tls.md). A plain-http address, a skipped verification or a connection
// without a CA Secret would each let a forged Vault hand out the platform's secrets.
func checkVaultConnectionTLS(c *Cluster, rep *Report) {
	for _, o := range c.ofKind("VaultConnection") {
		address := str(o.U, "spec", "address")
		if !strings.HasPrefix(address, "https://") {
			rep.AddObj(o, "vso-connection-tls", "spec.address "+address+" must use https://")
		}
		if skip, _, _ := unstructured.NestedBool(o.U.Object, "spec", "skipTLSVerify"); skip {
			rep.AddObj(o, "vso-connection-tls", "spec.skipTLSVerify must not be true: VSO verifies Vault's certificate")
		}
		if str(o.U, "spec", "caCertSecretRef") == "" {
			rep.AddObj(o, "vso-connection-tls", "spec.caCertSecretRef must name the Secret holding the platform CA (ca.crt)")
		}
	}
}

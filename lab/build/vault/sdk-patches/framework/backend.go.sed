# Applied by scripts/lab-gitops-build.sh to a copy of github.com/hashicorp/vault/sdk v0.21.0
# (framework/backend.go): Vault v1.21.4's tree still calls ActivationFunc(ctx, req).
s/ActivationFunc func(context.Context, \*logical.Request, string) error/ActivationFunc func(context.Context, *logical.Request) error/

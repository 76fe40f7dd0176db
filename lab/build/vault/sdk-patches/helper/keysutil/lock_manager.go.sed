# Applied by scripts/lab-gitops-build.sh to a copy of github.com/hashicorp/vault/sdk v0.21.0:
# Vault v1.21.4's transit backend expects RestorePolicy to return the restored key's name.
/^func (lm \*LockManager) RestorePolicy(/,/^}/ {
  s/backup string, force bool) error {/backup string, force bool) (string, error) {/
  s/return nil$/return name, nil/
  s/return err$/return "", err/
  s/return fmt\.Errorf(/return "", fmt.Errorf(/
  s/return errwrap\.Wrapf(/return "", errwrap.Wrapf(/
}

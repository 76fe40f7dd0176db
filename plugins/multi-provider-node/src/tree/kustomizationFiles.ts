/** The names kustomize looks for in a folder, in its order of preference. */
export const KUSTOMIZE_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

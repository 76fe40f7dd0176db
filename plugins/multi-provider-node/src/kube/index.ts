export {
  DEFAULT_INFORMER_OPTIONS,
  ResourceInformer,
  objectKey,
  watchTimeoutSeconds,
} from './ResourceInformer';
export type { InformerOptions, ItemListener, Meta } from './ResourceInformer';
export { kubeResourceClient } from './kubeResourceClient';
export { kubeList } from './kubeWatch';
export type { KubeListPage } from './kubeWatch';

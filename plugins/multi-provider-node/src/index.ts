/**
 * Node library of the multi-provider plugin: the one provider-registry loader, the one Flux tree
 * reader and renderer, the one Kubernetes list + watch client and informer, and the extension points other plugins and adopters implement.
 *
 * @packageDocumentation
 */
export * from './registry';
export * from './tree';
export * from './extensions';
export * from './config';
export * from './kube';

export interface Config {
  /** Settings shared by the Cloudlab backend plugins (read by `@cloudlab/plugin-multi-provider-node`). */
  cloudlab?: {
    /**
     * The GitOps tree the suite reads: the Flux repository (desired state, catalog entities) and
     * the hand-written catalog next to it. Required by the multi-provider backend and the Flux
     * catalog module.
     */
    gitopsTree?: {
      /** The tree is a folder on local disk (the only source type today). */
      local?: {
        /** The folder holding the tree, relative to the backend's working directory. Required. */
        path: string;
      };
      /** The Flux repository inside the tree: the folder holding `clusters/<name>/`. Default `.`. */
      fluxPath?: string;
      /** Hand-written catalog entities inside the tree (the override rule). Default: none. */
      catalogPath?: string;
      /**
       * The cluster tree (`<fluxPath>/clusters/<name>`) the desired views show when a request
       * names none. Default: the only cluster tree; required when there are several.
       */
      desiredCluster?: string;
      /** Render command; the directory is appended. Default `[kubectl, kustomize]`. */
      kustomizeCommand?: string[];
    };
    /**
     * The provider registry: either `directory` or `entries`, not both. Required by the
     * multi-provider backend, the Flux catalog module and the scaffolder module.
     */
    providers?: {
      /** A folder of registry files (`*.yaml`, `*.yml`), relative to the backend's working directory. */
      directory?: string;
      /** Registry documents (`apiVersion`, `kind: Provider`, `metadata`, `spec`) given inline. */
      entries?: Array<{
        apiVersion: string;
        kind: string;
        metadata: { name: string };
        spec: object;
      }>;
    };
  };
}

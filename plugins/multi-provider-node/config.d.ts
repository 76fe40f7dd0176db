export interface Config {
  /** Settings shared by the Cloudlab backend plugins (read by `@cloudlab/plugin-multi-provider-node`). */
  cloudlab?: {
    /**
     * The GitOps tree the suite reads: the Flux repository (desired state, catalog entities) and
     * the hand-written catalog next to it. Required by the multi-provider backend and the Flux
     * catalog module.
     */
    gitopsTree?: {
      /**
       * Exactly one of `flux`, `url`, `local` says where the tree comes from (docs/adr/1104).
       * The tree is the artifact of the Flux source the named Kustomization applies.
       */
      flux?: {
        /** Default `flux-system/flux-system`, the Kustomization `flux bootstrap` creates. */
        kustomization?: { namespace: string; name: string };
        /** A cluster of the kubernetes plugin's configuration. Default: the first one. */
        cluster?: string;
        /** Replaces scheme and host of `status.artifact.url` (source-controller's address). */
        artifactBaseUrl?: string;
      };
      /** The tree is a branch of a Git host, read through the configured integration. */
      url?: {
        /** A tree URL (`https://<host>/<org>/<repo>/tree/<branch>/<path>`). Required. */
        target: string;
        /**
         * Time after which the host is asked again (with the last ETag). Default 3 minutes.
         * An object of units, an ISO 8601 duration (`PT5M`) or a short form (`5m`).
         */
        refresh?: { [unit: string]: number } | string;
      };
      /** The tree is a folder on local disk: development only. */
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
    /** Backstage notifications the suite sends (the notifications backend must be installed). */
    notifications?: {
      /**
       * A Flux Kustomization or HelmRelease that stops being Ready notifies the owner of each
       * entity claiming it, once per incident, and again when it recovers.
       */
      flux?: {
        /** Default true. */
        enabled?: boolean;
        /**
         * `owner` (default): each claiming entity's owner. Or one entity ref
         * (`group:default/platform-team`, `user:default/ada`) that receives every incident.
         */
        recipients?: string;
        /**
         * How long an object must stay failing before it is an incident (a recovery within it
         * sends nothing). Default 30 seconds. An object of units, ISO 8601 (`PT30S`) or `30s`.
         */
        debounce?: { [unit: string]: number } | string;
      };
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
    /** The cost views, computed from the registry's price tables. */
    cost?: {
      /**
       * A price table read (its `source.readOn`) longer ago than this shows a warning in every
       * cost figure. Default 180 days. An object of units, an ISO 8601 duration (`P90D`) or a
       * short form (`90d`).
       */
      maxPriceAge?: { [unit: string]: number } | string;
    };
  };
}

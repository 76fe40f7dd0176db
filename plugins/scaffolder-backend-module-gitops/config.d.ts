export interface Config {
  cloudlab?: {
    gitops?: {
      /**
       * Where the GitOps change is published: `local` commits to `localRepository`,
       * `github` / `gitlab` open a pull / merge request against `repoUrl`.
       * @visibility frontend
       */
      publish?: 'local' | 'github' | 'gitlab';
      /**
       * The GitOps repository in the scaffolder's RepoUrlPicker form, e.g.
       * `github.com?owner=cloudlab&repo=cloudlab`. Used when `publish` is github or gitlab.
       */
      repoUrl?: string;
      /**
       * URL `fetch:plain` reads the GitOps repository from in github/gitlab mode, e.g.
       * `https://github.com/cloudlab/cloudlab/tree/main`.
       */
      sourceUrl?: string;
      /** Base branch of pull requests and of local commits. Default `main`. */
      defaultBranch?: string;
      /**
       * Path of a local Git repository (non-bare or bare) that the lab's Flux reads; the
       * `cloudlab:git:commit` action commits onto a branch of it. Relative to the backend's
       * working directory. When absent it is created as a bare clone of
       * `cloudlab.gitopsTree.local.path` (which must then be a Git working copy); with a `url`
       * or `flux` tree it must exist.
       */
      localRepository?: string;
      /**
       * The gitops-validate binary (tools/gitops-validate), or a folder: then its newest
       * `gitops-validate-<hash>-go<version>` (the names scripts/validate-gitops.sh builds).
       * Relative to the backend's working directory. Required by `cloudlab:gitops:validate`.
       */
      validatorPath?: string;
      /**
       * The folder of CRD schemas the validator checks custom resources against
       * (scripts/fetch-crds.sh). Relative to the backend's working directory. Required by
       * `cloudlab:gitops:validate`.
       */
      crdPath?: string;
      /** Seconds before the validator is stopped. Default 120. */
      validatorTimeoutSeconds?: number;
    };
  };
}

export interface Config {
  cloudlab?: {
    /** Cloudlab's portal permission policy. */
    permissions?: {
      /** Group entity refs whose members may do everything. Default: group:default/platform-admins. */
      adminGroups?: string[];
      /** Group entity refs whose members may run software templates. Default: group:default/platform-team. */
      templateRunnerGroups?: string[];
    };
    /** How the deployed portal checks its own configuration at start. */
    deployment?: {
      /**
       * When a configuration file sets it, every environment variable that file substitutes must
       * be set, or the backend exits at start naming the key and the variable
       * (app-config.production.yaml sets it).
       */
      requireEnvironment?: boolean;
    };
  };
}

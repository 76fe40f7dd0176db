export interface Config {
  cloudlab?: {
    /** Cloudlab's portal permission policy. */
    permissions?: {
      /** Group entity refs whose members may do everything. Default: group:default/platform-admins. */
      adminGroups?: string[];
      /** Group entity refs whose members may run software templates. Default: group:default/platform-team. */
      templateRunnerGroups?: string[];
    };
  };
}

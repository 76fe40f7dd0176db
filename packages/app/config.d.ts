export interface Config {
  cloudlab?: {
    signIn?: {
      /**
       * Sign-in methods offered on the sign-in page, in order: `github`, `guest`.
       * @visibility frontend
       */
      providers?: string[];
    };
  };
}

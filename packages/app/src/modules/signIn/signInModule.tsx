import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import {
  configApiRef,
  githubAuthApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import {
  SignInPage,
  type SignInProviderConfig,
} from '@backstage/core-components';

const githubProvider: SignInProviderConfig = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/** Config key listing the sign-in methods offered, in order (see config.d.ts). */
export const SIGN_IN_PROVIDERS_KEY = 'cloudlab.signIn.providers';

/**
 * Offers the sign-in methods named in `cloudlab.signIn.providers`: `github` in production,
 * `guest` for the local lab (the default when the key is absent).
 */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => props => {
      const config = useApi(configApiRef);
      const names = config.getOptionalStringArray(SIGN_IN_PROVIDERS_KEY) ?? [
        'guest',
      ];
      const providers = names.map(name => {
        if (name === 'github') return githubProvider;
        if (name === 'guest') return 'guest' as const;
        throw new Error(
          `${SIGN_IN_PROVIDERS_KEY}: unknown sign-in provider "${name}" (expected github or guest)`,
        );
      });
      return <SignInPage {...props} providers={providers} />;
    },
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});

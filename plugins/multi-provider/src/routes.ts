import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The platform page. */
export const rootRouteRef = createRouteRef();

/** The platform storage page. */
export const storageRouteRef = createRouteRef();
/** The platform GitOps page. */
export const gitopsRouteRef = createRouteRef();

import { createRouteRef } from '@backstage/frontend-plugin-api';

/** The platform page. */
export const rootRouteRef = createRouteRef();

/** The platform GitOps page. */
export const gitopsRouteRef = createRouteRef();

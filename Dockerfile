# The portal's backend image (gitops/platform/portal runs it), after Backstage's "host build":
# everything is compiled on the host, the image only unpacks it and installs production
# dependencies. No container engine is part of the test command; the bundle this image contains
# is built and run by the portal proof (packages/lab/src/integration/portalBundle.test.ts),
# unpacked the way this file unpacks it (packages/bench/src/portal/portalBundle.ts).
#
# On the host, from the repository root:
#   yarn install --immutable
#   yarn tsc
#   yarn build:backend                            # packages/backend/dist/{skeleton,bundle}.tar.gz
#   bash scripts/validate-gitops.sh --build-only  # the validator the scaffolder runs
#   bash scripts/fetch-crds.sh                    # the CRD schemas it validates against
#   docker build -t cloudlab/portal:<version> .
#
# The deployment runs it with a read-only root file system, as user 1000, /tmp an emptyDir.

FROM node:24-bookworm-slim

# Native modules of the production dependencies (better-sqlite3, isolated-vm for the scaffolder)
# build from source when no prebuilt binary fits; the build tools go once the install is done.
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && \
    apt-get install -y --no-install-recommends python3 g++ build-essential git ca-certificates && \
    rm -rf /var/lib/apt/lists/*

# The image's user is the node image's (uid 1000), never root.
USER node
WORKDIR /app
ENV NODE_ENV=production
# The scaffolder's sandbox (isolated-vm) needs it on Node 20 and later.
ENV NODE_OPTIONS="--no-node-snapshot"

# Dependencies first, from the skeleton (every workspace package.json): the layer is reused until
# a dependency changes.
COPY --chown=node:node .yarn ./.yarn
COPY --chown=node:node .yarnrc.yml backstage.json yarn.lock package.json ./
COPY --chown=node:node packages/backend/dist/skeleton.tar.gz ./
RUN tar xzf skeleton.tar.gz && rm skeleton.tar.gz
RUN --mount=type=cache,target=/home/node/.cache/yarn,sharing=locked,uid=1000,gid=1000 \
    yarn workspaces focus --all --production && rm -rf "$(yarn cache clean)"

# The bundle (the backend and its workspace packages, built) and what the production config
# reads relative to the working directory: the provider registry, the hand-written catalog and
# templates, the handbook, the GitOps validator and its CRD schemas.
COPY --chown=node:node packages/backend/dist/bundle.tar.gz app-config.yaml app-config.production.yaml ./
RUN tar xzf bundle.tar.gz && rm bundle.tar.gz
COPY --chown=node:node providers ./providers
COPY --chown=node:node catalog-info.yaml mkdocs.yml ./
COPY --chown=node:node catalog ./catalog
COPY --chown=node:node templates ./templates
COPY --chown=node:node docs ./docs
# The validator binary of this checkout (scripts/validate-gitops.sh --build-only builds it; the
# scaffolder runs the newest one in the folder).
COPY --chown=node:node .cache/gitops-validate ./.cache/gitops-validate
COPY --chown=node:node .cache/crds ./.cache/crds

EXPOSE 7007
# Probes: /.backstage/health/v1/liveness and /.backstage/health/v1/readiness on this port.
CMD ["node", "packages/backend", "--config", "app-config.yaml", "--config", "app-config.production.yaml"]

# syntax=docker/dockerfile:1
#
# onnxpipe server (POST /predict, /v2/health/*) on the CPU: onnxruntime-node's bundled CPU
# build, the model repository baked in.
#
# Build from the repository root, after `npm run export` has written models/<name>/<version>/
# model.onnx (BuildKit picks up server-cpu.Dockerfile.dockerignore next to this file):
#   docker build -f docker/server-cpu.Dockerfile -t onnxpipe-server-cpu:0.1.0 .
#
# Run:
#   docker run --rm -p 127.0.0.1:3000:3000 onnxpipe-server-cpu:0.1.0
#   docker run --rm -p 127.0.0.1:3000:3000 -e ONNXPIPE_MAX_BATCH_SIZE=32 onnxpipe-server-cpu:0.1.0 --log-level warn
#   docker run --rm -p 127.0.0.1:3000:3000 -v "$PWD/models:/mnt/models:ro" \
#     -e ONNXPIPE_MODEL_REPOSITORY=/mnt/models onnxpipe-server-cpu:0.1.0    # models from the host
#
# Arguments after the image name are server flags, as after `npm start --`; every setting also has
# an environment variable (packages/server/README.md).
#
# Model control (load/unload over HTTP, SIGHUP) is off: the container serves the models it
# starts with. To turn it on, give it the bearer token as a secret file (never as a build
# argument or in the image):
#   openssl rand -hex 32 > docker/model-control-token
#   docker run --rm -p 127.0.0.1:3000:3000 -e ONNXPIPE_MODEL_CONTROL_MODE=explicit \
#     -e ONNXPIPE_MODEL_CONTROL_TOKEN_FILE=/run/secrets/model-control-token \
#     -v "$PWD/docker/model-control-token:/run/secrets/model-control-token:ro" onnxpipe-server-cpu:0.1.0

# Node.js 24, the active LTS; 22 (maintenance LTS) is supported too:
# --build-arg NODE_IMAGE=node:22-bookworm-slim.
ARG NODE_IMAGE=node:24-bookworm-slim

# Compiles the TypeScript (core, onnx, server) to JavaScript and builds the browser files served
# at / (the demo page, the SDK bundle, onnxruntime-web's runtime files). Only the output leaves
# this stage: the compilers and build tools (typescript, tsx, turbo, esbuild) never reach the
# image.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Only the manifests first: this layer is rebuilt when dependencies change, not when code does.
# npm ci needs every workspace's package.json to check the lockfile, even the ones it skips.
COPY package.json package-lock.json .npmrc ./
COPY packages/core/package.json packages/core/
COPY packages/data/package.json packages/data/
COPY packages/exporter/package.json packages/exporter/
COPY packages/onnx/package.json packages/onnx/
COPY packages/server/package.json packages/server/
COPY packages/trainer/package.json packages/trainer/
COPY packages/web/package.json packages/web/
RUN npm ci --workspace @onnxpipe/server --workspace @onnxpipe/web --include-workspace-root --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages/core/ packages/core/
COPY packages/data/ packages/data/
COPY packages/onnx/ packages/onnx/
COPY packages/server/ packages/server/
COPY packages/web/ packages/web/
# tsc -b builds the server and the packages it references. Tests, the benches, the test
# fixtures' code, declarations and source maps are not part of the runtime.
RUN node_modules/.bin/tsc -b packages/server \
 && node packages/web/scripts/build.mjs --quiet \
 && rm -rf packages/server/dist/bench packages/server/dist/testing packages/core/dist/testing \
 && find packages/core/dist packages/onnx/dist packages/server/dist \
      \( -name '*.test.js' -o -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete

# The server's production dependencies only (`--omit=dev`: no typescript, tsx, turbo, autocannon,
# test libraries). The CPU build of onnxruntime-node ships inside the npm package; package.json's
# allowScripts (npm 11) and .npmrc (npm 10) keep its install script from downloading the CUDA
# provider, as in any `npm ci`. Other platforms' onnxruntime binaries (macOS, Windows: ~220 MB)
# are removed.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/core/package.json packages/core/
COPY packages/data/package.json packages/data/
COPY packages/exporter/package.json packages/exporter/
COPY packages/onnx/package.json packages/onnx/
COPY packages/server/package.json packages/server/
COPY packages/trainer/package.json packages/trainer/
COPY packages/web/package.json packages/web/
RUN npm ci --omit=dev --workspace @onnxpipe/server --no-audit --no-fund \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# tini as PID 1: it forwards SIGTERM to the server (which drains) and reaps zombies, in Docker
# without --init and in Kubernetes alike.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/packages/core/dist/ packages/core/dist/
COPY --from=build /app/packages/onnx/dist/ packages/onnx/dist/
COPY --from=build /app/packages/server/dist/ packages/server/dist/
COPY --from=build /app/packages/web/dist/browser/ packages/web/dist/browser/
# The Triton-style model repository: <name>/config.pbtxt, <name>/<version>/model.onnx and
# manifest.json (the trainer's checkpoints, tfjs artifacts, metrics and reports are filtered out
# by the .dockerignore). Mount another one and set ONNXPIPE_MODEL_REPOSITORY to serve other
# models (/mnt/models, where KServe's storage initializer puts them).
COPY models/ models/

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ONNXPIPE_DEVICE=cpu \
    ONNXPIPE_MODEL_CONTROL_MODE=none
EXPOSE 3000
# The node image's unprivileged `node` user, by number so that Kubernetes' runAsNonRoot can
# check it; the app files stay root-owned and read-only to it.
USER 1000:1000
# No curl in the slim image: Node's fetch asks for readiness (503 until a model is loaded, and
# again once SIGTERM starts the drain).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The compiled server, without npm in between: npm hands SIGTERM to the `sh -c` it starts the
# script with, and dash dies without passing it on, so the server would be killed with the
# container instead of draining. Here tini passes SIGTERM on; the server reports not ready,
# finishes in-flight requests and exits 0 (packages/server/README.md, Shutdown).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "packages/server/dist/cli.js"]
CMD []

# syntax=docker/dockerfile:1
#
# onnxpipe server on an NVIDIA GPU: onnxruntime-node with its CUDA execution provider.
#
# Build from the repository root, after `npm run export` has written models/<name>/<version>/
# model.onnx (BuildKit picks up server-cuda.Dockerfile.dockerignore next to this file):
#   docker build -f docker/server-cuda.Dockerfile -t onnxpipe-server-cuda:0.1.0 .
#
# Run (NVIDIA Container Toolkit on the host):
#   docker run --rm --gpus all -p 127.0.0.1:3000:3000 onnxpipe-server-cuda:0.1.0
#
# ONNXPIPE_DEVICE=cuda makes the server refuse to start (ONNXPIPE_SERVER_DEVICE_UNAVAILABLE)
# when the CUDA provider cannot run, instead of serving from the CPU unnoticed; set it to
# `auto` to fall back to the CPU. Model control is off, and turned on with a secret token file,
# as in server-cpu.Dockerfile. Not built or run in this project's CI (docker/README.md).

# onnxruntime-node 1.30's CUDA provider is built for CUDA 12.x and cuDNN 9 (a cuDNN 8 image does
# not load it); any CUDA 12 runtime image with cuDNN 9 works.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04
# The compile stage needs no GPU libraries: its output is JavaScript.
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

FROM ${CUDA_IMAGE} AS base
# Node.js 24, the active LTS (22 is supported too: --build-arg NODE_MAJOR=22), from NodeSource's
# packages; tini as PID 1 (forwards SIGTERM to the server, reaps zombies), from Ubuntu's.
ARG NODE_MAJOR=24
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg tini \
 && curl -fsSL "https://deb.nodesource.com/setup_${NODE_MAJOR}.x" | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && apt-get purge -y --auto-remove curl gnupg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

FROM base AS deps
# Only the manifests: npm ci needs every workspace's package.json to check the lockfile.
COPY package.json package-lock.json .npmrc ./
COPY packages/core/package.json packages/core/
COPY packages/data/package.json packages/data/
COPY packages/exporter/package.json packages/exporter/
COPY packages/onnx/package.json packages/onnx/
COPY packages/server/package.json packages/server/
COPY packages/trainer/package.json packages/trainer/
COPY packages/web/package.json packages/web/
# The server's production dependencies only. `npm ci` installs the CPU build, as everywhere
# (package.json's allowScripts and .npmrc skip onnxruntime-node's install script). The CUDA
# opt-in is the README's one-liner: the script run directly downloads the CUDA 12 provider
# libraries (libonnxruntime_providers_cuda.so, ..._shared.so, ..._tensorrt.so) from the
# Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package into bin/napi-v6/linux/x64. Not `npm rebuild`,
# which npm 11 skips for a denied package, and not an npm script, inside which the script takes
# itself for a local install and does nothing; `test` makes the build fail loudly instead of
# producing a CPU-only image. Needs internet access.
RUN npm ci --omit=dev --workspace @onnxpipe/server --no-audit --no-fund \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
 && npm cache clean --force

FROM base
COPY --from=deps /app ./
COPY --from=build /app/packages/core/dist/ packages/core/dist/
COPY --from=build /app/packages/onnx/dist/ packages/onnx/dist/
COPY --from=build /app/packages/server/dist/ packages/server/dist/
COPY --from=build /app/packages/web/dist/browser/ packages/web/dist/browser/
# The model repository, as in server-cpu.Dockerfile (mount another at /mnt/models and set
# ONNXPIPE_MODEL_REPOSITORY to serve other models).
COPY models/ models/
# An unprivileged user, by number so that Kubernetes' runAsNonRoot can check it.
RUN groupadd --system --gid 10001 onnxpipe \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin onnxpipe

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ONNXPIPE_DEVICE=cuda \
    ONNXPIPE_MODEL_CONTROL_MODE=none
EXPOSE 3000
USER 10001:10001
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The compiled server under tini, without npm in between (see server-cpu.Dockerfile).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "packages/server/dist/cli.js"]
CMD []

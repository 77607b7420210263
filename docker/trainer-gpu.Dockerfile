# syntax=docker/dockerfile:1
#
# onnxpipe trainer on an NVIDIA GPU (tfjs-node-gpu).
#
# Build from the repository root (BuildKit picks up trainer-gpu.Dockerfile.dockerignore
# next to this file):
#   docker build -f docker/trainer-gpu.Dockerfile -t onnxpipe-trainer-gpu .
#
# Run with the MNIST IDX files mounted read-only at /data and the models folder writable:
#   docker run --rm --init --gpus all \
#     -v "$PWD/../shared/datasets/mnist:/data:ro" \
#     -v "$PWD/models:/app/models" \
#     onnxpipe-trainer-gpu --epochs 14
#
# Everything after the image name is passed to `npm run train --`. With the CUDA libraries
# of this base image present, `npm run train` auto-selects the `tensorflow-gpu` backend.

# @tensorflow/tfjs-node-gpu 4.22 loads libtensorflow 2.9.1, which is built against
# CUDA 11.2 and cuDNN 8.1; a newer CUDA major version does not load.
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04

FROM ${CUDA_IMAGE} AS base
# Node.js 24, the active LTS (22 is supported too: --build-arg NODE_MAJOR=22). tfjs-node's
# prebuilt addon is an N-API build, so it loads on either.
ARG NODE_MAJOR=24
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && curl -fsSL "https://deb.nodesource.com/setup_${NODE_MAJOR}.x" | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# The toolchain is only used if node-pre-gyp finds no prebuilt addon and compiles it;
# it stays out of the final image.
FROM base AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
COPY packages/ packages/
COPY scripts/ scripts/
COPY tsconfig*.json turbo.json ./
# The tfjs-node backends are optionalDependencies; their install scripts (allowed in
# package.json's allowScripts) download libtensorflow (CPU and GPU builds) at this step, so the
# build needs internet access.
# Dev dependencies stay: `npm run train` runs the TypeScript sources through tsx.
RUN npm ci --include=optional --no-audit --no-fund

FROM base
COPY --from=deps /app /app
ENV ONNXPIPE_DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
VOLUME ["/data", "/app/models"]
ENTRYPOINT ["npm", "run", "train", "--"]

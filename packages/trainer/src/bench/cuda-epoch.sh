#!/bin/sh
# One epoch of the reference recipe on onnxruntime's CUDA execution provider, and the step
# throughput there, for docs/benchmarks.md. A few minutes on any CUDA 12 GPU.
#
# Needs onnxruntime-node's CUDA provider next to its binding (README, "Dependencies":
# ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js) and the
# MNIST files (ONNXPIPE_DATA_DIR, or data/mnist/). Without the provider the trainer falls back to
# the CPU and says why in its backend line: this script stops instead.
set -eu
cd "$(dirname "$0")/../../../.."
PROVIDER=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
if [ ! -f "$PROVIDER" ]; then
  echo "no CUDA provider at $PROVIDER: install it first (README, Dependencies)" >&2
  exit 1
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
# The trainer's own probe: a session on CUDA, or the reason it cannot start.
node --conditions=source --import tsx --input-type=module -e "
  const { selectTrainingProvider } = await import('./packages/trainer/src/backends/onnxruntime/execution-provider.ts');
  const { provider, cudaSkipped } = await selectTrainingProvider(true);
  if (provider !== 'cuda') { console.error('CUDA unavailable: ' + cudaSkipped); process.exit(1); }"
OUT=$(mktemp -d)
npm run --silent train -- --backend onnxruntime --epochs 1 --dev-set none --no-download --out "$OUT" --json |
  grep -E '"event":"(info|epoch|done)"'
npm run --silent bench:train -- --backends onnxruntime --threads 1 --workers 1 --steps 300 --rounds 1 --no-epoch --no-pytorch
rm -rf "$OUT"

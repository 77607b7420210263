import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter: it is the one that has python3-torch (another python3 may come first on PATH). */
const PYTHON = '/usr/bin/python3';
// The script beside this file, found the same way from the built dist/bench/ (tsc copies no .py).
const SCRIPT = fileURLToPath(new URL('../../src/bench/pytorch_reference.py', import.meta.url));

export interface PytorchPeerResult {
  readonly torchVersion: string;
  readonly threads: number;
  readonly imagesPerSecond: number;
  readonly steps: number;
  readonly peakRssMiB: number;
}

/** Why the peer cannot run here, or undefined when `import torch` works. */
export function pytorchUnavailableReason(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found`;
  if (probe.status !== 0) return `${PYTHON} cannot import torch (apt-get install python3-torch python3-numpy)`;
  return undefined;
}

/** Runs the PyTorch example recipe for `steps` timed steps on the same MNIST files. */
export function runPytorchPeer(options: {
  steps: number;
  threads: number;
  batchSize: number;
  dataDir: string;
}): PytorchPeerResult {
  const run = spawnSync(
    PYTHON,
    [
      SCRIPT,
      '--epochs',
      '1',
      '--limit-steps',
      String(options.steps),
      '--threads',
      String(options.threads),
      '--batch-size',
      String(options.batchSize),
      '--data-dir',
      options.dataDir,
      '--no-test',
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`PyTorch peer failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  const json = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
  return {
    torchVersion: json.torch_version,
    threads: json.threads,
    imagesPerSecond: json.images_per_second,
    steps: json.steps,
    peakRssMiB: json.peak_rss_mib,
  };
}

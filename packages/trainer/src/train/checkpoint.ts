import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../model/layers-model.js';
import type { EpochRecord } from './epoch-record.js';

/**
 * A checkpoint after each epoch: parameters and Adadelta state (one binary file) plus the epoch
 * history (JSON), enough for `--resume` to continue exactly where the run stopped — shuffling and
 * dropout seeds derive from (seed, epoch, step), so a resumed run draws what the original would.
 */
export interface Checkpoint {
  readonly epoch: number;
  readonly configDigest: string;
  readonly history: readonly EpochRecord[];
  readonly params: Float32Array;
  readonly squareAverage: Float32Array;
  readonly accumulatedDelta: Float32Array;
}

const name = (epoch: number) => `epoch-${String(epoch).padStart(3, '0')}`;

export async function writeCheckpoint(directory: string, checkpoint: Checkpoint): Promise<void> {
  const { params, squareAverage, accumulatedDelta, ...meta } = checkpoint;
  const binary = new Float32Array(params.length * 3);
  binary.set(params, 0);
  binary.set(squareAverage, params.length);
  binary.set(accumulatedDelta, params.length * 2);
  await writeAtomically(join(directory, `${name(checkpoint.epoch)}.bin`), new Uint8Array(binary.buffer));
  // The JSON goes last: its presence marks the checkpoint complete.
  await writeAtomically(join(directory, `${name(checkpoint.epoch)}.json`), JSON.stringify({ ...meta, size: params.length }));
}

/** The newest complete checkpoint in `directory`, or undefined when there is none. */
export async function readLatestCheckpoint(directory: string): Promise<Checkpoint | undefined> {
  let files: string[];
  try {
    files = await readdir(directory);
  } catch {
    return undefined;
  }
  const latest = files.filter((f) => /^epoch-\d+\.json$/.test(f)).sort().at(-1);
  if (latest === undefined) return undefined;
  const meta = JSON.parse(await readFile(join(directory, latest), 'utf8')) as Omit<Checkpoint, 'params' | 'squareAverage' | 'accumulatedDelta'> & { size: number };
  const bytes = await readFile(join(directory, latest.replace(/\.json$/, '.bin')));
  if (bytes.byteLength !== meta.size * 12) {
    throw new Error(`checkpoint ${latest}: expected ${meta.size * 12} bytes of parameters and state, found ${bytes.byteLength}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    epoch: meta.epoch,
    configDigest: meta.configDigest,
    history: meta.history,
    params: all.subarray(0, meta.size),
    squareAverage: all.subarray(meta.size, meta.size * 2),
    accumulatedDelta: all.subarray(meta.size * 2),
  };
}

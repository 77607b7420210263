import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ONNXPIPE_TRAINER_BAD_CHECKPOINT } from '../errors.js';
import { writeAtomically } from '../model/layers-model.js';
import type { EpochRecord } from './epoch-record.js';

/**
 * A checkpoint after each epoch: every array of the training state — parameters, batch-norm
 * statistics, the weight average, the optimizer's state — in one binary file, plus the epoch
 * history and the arrays' names and lengths (JSON); enough for `--resume` to continue exactly
 * where the run stopped: shuffling, dropout and augmentation seeds derive from (seed, epoch, step),
 * so a resumed run draws what the original would.
 */
export interface Checkpoint {
  readonly epoch: number;
  readonly configDigest: string;
  readonly history: readonly EpochRecord[];
  readonly arrays: Readonly<Record<string, Float32Array>>;
}

const name = (epoch: number) => `epoch-${String(epoch).padStart(3, '0')}`;

export async function writeCheckpoint(directory: string, checkpoint: Checkpoint): Promise<void> {
  const { arrays, ...meta } = checkpoint;
  const entries = Object.entries(arrays);
  const binary = new Float32Array(entries.reduce((n, [, a]) => n + a.length, 0));
  let offset = 0;
  for (const [, array] of entries) {
    binary.set(array, offset);
    offset += array.length;
  }
  await writeAtomically(join(directory, `${name(checkpoint.epoch)}.bin`), new Uint8Array(binary.buffer));
  // The JSON goes last: its presence marks the checkpoint complete.
  const layout = entries.map(([arrayName, array]) => ({ name: arrayName, length: array.length }));
  await writeAtomically(join(directory, `${name(checkpoint.epoch)}.json`), JSON.stringify({ ...meta, arrays: layout }));
}

/**
 * The newest complete checkpoint in `directory`, or undefined when there is none.
 *
 * @throws `ONNXPIPE_TRAINER_BAD_CHECKPOINT` when its binary file does not match its description
 */
export async function readLatestCheckpoint(directory: string): Promise<Checkpoint | undefined> {
  let files: string[];
  try {
    files = await readdir(directory);
  } catch {
    return undefined;
  }
  const latest = files
    .filter((f) => /^epoch-\d+\.json$/.test(f))
    .sort()
    .at(-1);
  if (latest === undefined) return undefined;
  const meta = JSON.parse(await readFile(join(directory, latest), 'utf8')) as Omit<Checkpoint, 'arrays'> & {
    arrays?: { name: string; length: number }[];
  };
  if (!Array.isArray(meta.arrays)) {
    throw new ONNXPIPE_TRAINER_BAD_CHECKPOINT(
      `checkpoint ${join(directory, latest)} was written by an older trainer (no array list); train again without --resume`,
    );
  }
  const bytes = await readFile(join(directory, latest.replace(/\.json$/, '.bin')));
  const expected = meta.arrays.reduce((n, a) => n + a.length, 0) * Float32Array.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expected) {
    throw new ONNXPIPE_TRAINER_BAD_CHECKPOINT(
      `checkpoint ${latest}: expected ${expected} bytes of state, found ${bytes.byteLength}`,
    );
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays: Record<string, Float32Array> = {};
  let offset = 0;
  for (const { name: arrayName, length } of meta.arrays) {
    arrays[arrayName] = all.subarray(offset, offset + length);
    offset += length;
  }
  return { epoch: meta.epoch, configDigest: meta.configDigest, history: meta.history, arrays };
}

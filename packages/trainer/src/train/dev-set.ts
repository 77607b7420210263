import { preprocessDigit, type Normalization } from '@onnxpipe/core';
import { devSetDir, readDigitFolder } from '@onnxpipe/data';

/** Real handwriting preprocessed as the server and the SDK do it: what the model would be fed. */
export interface DevSet {
  readonly dir: string;
  /** 28×28 bytes per image, light ink on black. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  /** File name per image, for the report's errors gallery. */
  readonly files: readonly string[];
}

/**
 * The development set for `--dev-set`: the given folder, none for `none`, else `devSetDir()` when
 * there is one. Only digit datasets have one.
 */
export function loadDevSet(
  option: string | undefined,
  dataset: string,
  normalization: Normalization,
): DevSet | undefined {
  if (option === 'none' || dataset !== 'mnist') return undefined;
  const dir = option ?? devSetDir();
  if (dir === undefined) return undefined;
  const folder = readDigitFolder(dir);
  const size = 28 * 28;
  const images = new Uint8Array(folder.items.length * size);
  folder.items.forEach((item, i) => images.set(preprocessDigit(item.image, { normalization }).pixels, i * size));
  return {
    dir,
    images,
    labels: Uint8Array.from(folder.items, (item) => item.label),
    files: folder.items.map((item) => item.file),
  };
}

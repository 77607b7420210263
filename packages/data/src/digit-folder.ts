import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { ONNXPIPE_DATA_BAD_DIGIT_FOLDER } from './errors.js';

/**
 * A folder of labelled digit images as people write them (not MNIST-formatted): PNG files and a
 * `labels.csv` whose header names at least `file` and `label` (more columns, such as `writer`,
 * are kept). The pen-written development set (`uji-pen-digits`) has this form. Such sets measure
 * a model on real handwriting; they are never trained on.
 */
export interface DigitFolder {
  readonly dir: string;
  /** One row per image, in `labels.csv` order. */
  readonly items: readonly DigitFolderItem[];
}

export interface DigitFolderItem {
  readonly file: string;
  readonly label: number;
  /** Every column of the row, by header name. */
  readonly columns: Readonly<Record<string, string>>;
  /** Decoded pixels as stored: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA) channels. */
  readonly image: {
    readonly width: number;
    readonly height: number;
    readonly channels: 1 | 2 | 3 | 4;
    readonly data: Uint8Array;
  };
}

/** Environment variable naming the real-handwriting development set's folder. */
export const DEV_SET_DIR_ENV = 'ONNXPIPE_DEV_SET_DIR';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The development set of pen-written digits: `$ONNXPIPE_DEV_SET_DIR`, else
 * `../shared/datasets/uji-pen-digits` beside the checkout (where these machines and CI keep it);
 * `undefined` when neither holds a `labels.csv`.
 */
export function devSetDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const candidates = [env[DEV_SET_DIR_ENV], join(repositoryRoot, '..', 'shared', 'datasets', 'uji-pen-digits')];
  return candidates.find((dir) => dir !== undefined && dir !== '' && existsSync(join(dir, 'labels.csv')));
}

/**
 * Reads every image listed in `<dir>/labels.csv`, decoded (8- and 16-bit PNG of any colour type;
 * 16-bit is reduced to 8).
 *
 * @throws `ONNXPIPE_DATA_BAD_DIGIT_FOLDER` naming the folder and the file or row at fault
 */
export function readDigitFolder(dir: string): DigitFolder {
  const fail = (details: string) => new ONNXPIPE_DATA_BAD_DIGIT_FOLDER(dir, details);
  let csv: string;
  try {
    csv = readFileSync(join(dir, 'labels.csv'), 'utf8');
  } catch (error) {
    throw Object.assign(fail(`cannot read labels.csv (${(error as Error).message})`), { cause: error });
  }
  const [headerLine, ...lines] = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (headerLine ?? '').split(',').map((h) => h.trim());
  if (!header.includes('file') || !header.includes('label')) {
    throw fail(
      `labels.csv's header must name the columns file and label; received ${JSON.stringify(headerLine ?? '')}`,
    );
  }
  const items = lines.map((line, row) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw fail(`labels.csv row ${row + 2} has ${cells.length} cells; the header has ${header.length}`);
    }
    const columns = Object.fromEntries(header.map((name, i) => [name, cells[i].trim()]));
    const label = Number(columns.label);
    if (!Number.isInteger(label) || label < 0 || label > 9) {
      throw fail(`labels.csv row ${row + 2}: 'label' must be a digit 0–9; received ${JSON.stringify(columns.label)}`);
    }
    return { file: columns.file, label, columns, image: decodePng(dir, columns.file, fail) };
  });
  return { dir, items };
}

function decodePng(dir: string, file: string, fail: (details: string) => Error): DigitFolderItem['image'] {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(join(dir, file)), { skipRescale: false });
  } catch (error) {
    throw Object.assign(fail(`${file}: cannot decode as PNG (${(error as Error).message})`), { cause: error });
  }
  // pngjs expands every colour type to RGBA; gray files are kept as one channel (what they are).
  const rgba = png.data;
  const pixels = png.width * png.height;
  let gray = true;
  for (let i = 0; i < pixels && gray; i++) {
    const o = i * 4;
    gray = rgba[o] === rgba[o + 1] && rgba[o] === rgba[o + 2] && rgba[o + 3] === 255;
  }
  if (!gray) return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(rgba) };
  const data = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) data[i] = rgba[i * 4];
  return { width: png.width, height: png.height, channels: 1, data };
}

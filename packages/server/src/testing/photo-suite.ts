import { devSetDir, readDigitFolder } from '@onnxpipe/data';
import { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
import type { InkImage, PhotoCondition } from '@onnxpipe/core/testing';
import { encodePhoto, photoFile, type PhotoFile } from './photo-images.js';

// The photo-like suite's digits and their trip through a listening server: the photo-accuracy
// test and `npm run bench:photos` share it. Digits are real handwriting we have — the pen-written
// development set (measured on, never trained on) and MNIST test digits — photographed under
// each condition by core's renderer.

/** Digits as ink (0 paper – 255 full ink) with their labels. */
export interface SuiteDigits {
  readonly name: string;
  readonly inks: readonly InkImage[];
  readonly labels: readonly number[];
  /** The digits as their own clean files: the dev set's PNGs as stored, MNIST as dark-on-white PNGs. */
  readonly originals: readonly Uint8Array[];
}

/** `count` indices spread evenly over `total` (every writer and label of an ordered set). */
function spread(total: number, count: number): number[] {
  const n = Math.min(total, count);
  return Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}

/** `count` digits of the pen-written development set, spread over it; `undefined` when it is not here. */
export function devSetDigits(count: number): SuiteDigits | undefined {
  const dir = devSetDir();
  if (dir === undefined) return undefined;
  const { items } = readDigitFolder(dir);
  const picked = spread(items.length, count).map((i) => items[i]);
  return {
    name: 'dev set',
    labels: picked.map((item) => item.label),
    inks: picked.map(({ image }) => {
      if (image.channels !== 1) throw new Error(`the dev set's images are gray; ${image.channels} channels found`);
      return { width: image.width, height: image.height, data: image.data.map((v) => 255 - v) };
    }),
    originals: picked.map(({ image }) => image.data),
  };
}

/** The first `count` MNIST test digits; `undefined` when the files are not here. */
export function mnistDigits(count: number): SuiteDigits | undefined {
  const dir = mnistTestDataDir();
  if (dir === undefined) return undefined;
  const { images, labels } = readMnistTestDigits(dir, count);
  return {
    name: 'MNIST',
    labels,
    inks: images.map((data) => ({ width: 28, height: 28, data })),
    originals: images.map((data) => data.map((v) => 255 - v)),
  };
}

/** The digits' own clean images as PNG files (the "same digits as clean images" reference). */
export function originalFiles(digits: SuiteDigits): Promise<PhotoFile[]> {
  return Promise.all(
    digits.originals.map((data, i) =>
      encodePhoto({ width: digits.inks[i].width, height: digits.inks[i].height, channels: 1, data }),
    ),
  );
}

/** The photos of `digits` under `condition`, seeded: the same files on every run. */
export function photoFiles(digits: SuiteDigits, condition: PhotoCondition): Promise<PhotoFile[]> {
  return Promise.all(digits.inks.map((ink, i) => photoFile(ink, condition, i)));
}

/** A listening server's limits on one request. */
export interface RequestLimits {
  readonly maxItemsPerRequest: number;
  readonly maxBodyBytes: number;
}

/**
 * Sends `files` to `POST {origin}/predict{query}` as multipart bodies within the server's limits,
 * over HTTP; the predicted labels in order, and how many came back empty.
 */
export async function predictOverHttp(
  origin: string,
  files: readonly PhotoFile[],
  limits: RequestLimits,
  query = '',
): Promise<{ labels: number[]; empty: number }> {
  const labels: number[] = [];
  let empty = 0;
  for (let start = 0, end = 0; start < files.length; start = end) {
    // As many files as fit, with room for the multipart framing.
    let bytes = 0;
    for (
      end = start;
      end < files.length &&
      end - start < limits.maxItemsPerRequest &&
      bytes + files[end].bytes.length <= limits.maxBodyBytes * 0.9;
      end++
    )
      bytes += files[end].bytes.length;
    if (end === start)
      throw new Error(
        `photo ${start} alone (${files[start].bytes.length} bytes) exceeds maxBodyBytes ${limits.maxBodyBytes}`,
      );
    const form = new FormData();
    files
      .slice(start, end)
      .forEach((file, i) => form.append('image', new Blob([file.bytes], { type: file.type }), `photo-${start + i}`));
    const response = await fetch(`${origin}/predict${query}`, { method: 'POST', body: form });
    if (response.status !== 200) throw new Error(`POST /predict answered ${response.status}: ${await response.text()}`);
    const { predictions } = (await response.json()) as { predictions: { label: string; empty?: boolean }[] };
    for (const p of predictions) {
      labels.push(Number(p.label));
      if (p.empty) empty++;
    }
  }
  return { labels, empty };
}

/** Share of `predicted` equal to `expected`. */
export function accuracy(predicted: readonly number[], expected: readonly number[]): number {
  return predicted.filter((label, i) => label === expected[i]).length / expected.length;
}

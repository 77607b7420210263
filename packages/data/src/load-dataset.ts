import type { ClassNames, Normalization } from '@onnxpipe/core';
import { downloadFiles, type DownloadProgress, type ProgressStream } from './download.js';
import { ONNXPIPE_DATA_COUNT_MISMATCH, ONNXPIPE_DATA_IDX_BAD_SHAPE, ONNXPIPE_DATA_NOT_FOUND } from './errors.js';
import { readIdxFile } from './idx-reader.js';
import { candidateDirs, datasetCacheDir, describeMissing, locateFiles, type LocateOptions } from './locate.js';
import { assertSplit, getDatasetSpec, type DatasetName, type Split } from './registry.js';
import type { VerifiedFile } from './verify.js';

export interface LoadDatasetOptions extends LocateOptions {
  readonly name: DatasetName;
  readonly split: Split;
  /** Download missing files into the cache; `false` turns a missing file into an error. @defaultValue `true` */
  readonly download?: boolean;
  readonly onDownloadProgress?: (progress: DownloadProgress) => void;
  /** Draws a download bar when this stream is a TTY, e.g. `process.stderr`. */
  readonly progressStream?: ProgressStream;
  /** Replaces the registry's mirror list (tests, private mirrors). */
  readonly mirrors?: readonly string[];
  /** Per-request timeout for downloads. @defaultValue `30_000` */
  readonly timeoutMs?: number;
}

/** One split of a dataset, fully verified and in memory. */
export interface Dataset {
  readonly name: DatasetName;
  readonly split: Split;
  /** `count × rows × cols` bytes, row-major, 0 = background, 255 = ink. */
  readonly images: Uint8Array;
  /** `count` class indices. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly files: {
    readonly images: { readonly path: string; readonly sha256: string };
    readonly labels: { readonly path: string; readonly sha256: string };
  };
  readonly normalization: Normalization;
  /** Class names indexed by label. */
  readonly classNames: ClassNames;
}

/**
 * Loads one split: finds verified files (`--data-dir`, `$ONNXPIPE_DATA_DIR`, the cache, OS
 * package dirs), downloads what is missing unless told not to, and checks that images and
 * labels agree with each other and with the registry. Never returns a partial dataset.
 *
 * @example
 * ```ts
 * const test = await loadDataset({ name: 'mnist', split: 'test', progressStream: process.stderr });
 * test.count; // 10000
 * ```
 */
export async function loadDataset(options: LoadDatasetOptions): Promise<Dataset> {
  const spec = getDatasetSpec(options.name);
  const name = options.name;
  assertSplit(options.split);
  const { split } = options;
  const entry = spec.files[split];
  const cacheDir = datasetCacheDir(spec, options.cacheDir);

  const located = await locateFiles([entry.images, entry.labels], candidateDirs(spec, options));
  const found = new Map(located.found);
  if (located.missing.length > 0) {
    if (options.download === false) {
      throw new ONNXPIPE_DATA_NOT_FOUND(
        `${describeMissing(spec, located, cacheDir)}\nDownloading is turned off; allow it to fetch them from ${spec.mirrors.join(', ')}.`,
      );
    }
    const downloaded = await downloadFiles({
      files: located.missing,
      mirrors: options.mirrors ?? spec.mirrors,
      dir: cacheDir,
      label: spec.name,
      timeoutMs: options.timeoutMs,
      onProgress: options.onDownloadProgress,
      progressStream: options.progressStream,
    });
    located.missing.forEach((file, i) => found.set(file, downloaded[i]));
  }
  const imagesFile = found.get(entry.images) as VerifiedFile;
  const labelsFile = found.get(entry.labels) as VerifiedFile;

  const images = await readIdxFile(imagesFile.path, { expect: 'images' });
  const labels = await readIdxFile(labelsFile.path, {
    expect: 'labels',
    numClasses: spec.classNames.length,
  });
  if (images.rows !== spec.rows || images.cols !== spec.cols) {
    throw new ONNXPIPE_DATA_IDX_BAD_SHAPE(
      imagesFile.path,
      `${spec.rows} × ${spec.cols} images`,
      `${images.rows} × ${images.cols}`,
    );
  }
  if (images.count !== labels.count) {
    throw new ONNXPIPE_DATA_COUNT_MISMATCH(
      `${name} ${split}: ${imagesFile.path} and ${labelsFile.path} disagree`,
      `${images.count} labels`,
      `${labels.count}`,
    );
  }
  if (images.count !== spec.counts[split]) {
    throw new ONNXPIPE_DATA_COUNT_MISMATCH(
      `${name} ${split}: ${imagesFile.path}`,
      `${spec.counts[split]} images`,
      `${images.count}`,
    );
  }

  return {
    name,
    split,
    images: images.data,
    labels: labels.data,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
    files: {
      images: { path: imagesFile.path, sha256: imagesFile.sha256 },
      labels: { path: labelsFile.path, sha256: labelsFile.sha256 },
    },
    normalization: spec.normalization,
    classNames: spec.classNames,
  };
}

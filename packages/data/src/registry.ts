import {
  DIGIT_LABELS,
  FASHION_MNIST_LABELS,
  FASHION_MNIST_NORMALIZATION,
  invalidChoiceMessage,
  MNIST_NORMALIZATION,
  type ClassNames,
  type Normalization,
} from '@onnxpipe/core';
import { ONNXPIPE_DATA_UNKNOWN_DATASET, ONNXPIPE_DATA_UNKNOWN_SPLIT } from './errors.js';

/** One known gzip encoding of a file. */
export interface KnownGzip {
  readonly bytes: number;
  readonly sha256: string;
  /** Where this encoding comes from, for people reading the registry. */
  readonly origin: string;
}

/**
 * One file of a dataset. The same content circulates in several gzip encodings (distributions
 * re-pack files and strip the name and time from the gzip header), so the decompressed content
 * hash is the identity; known `.gz` hashes are a fast path that avoids decompressing.
 */
export interface DatasetFile {
  /** The name on the mirrors and in the cache, e.g. `train-images-idx3-ubyte.gz`. */
  readonly fileName: string;
  /** The same file decompressed, also accepted in a data directory. */
  readonly rawFileName: string;
  readonly gzip: readonly KnownGzip[];
  readonly raw: { readonly bytes: number; readonly sha256: string };
}

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

export interface DatasetSpec {
  readonly name: string;
  readonly title: string;
  readonly files: Readonly<Record<Split, { readonly images: DatasetFile; readonly labels: DatasetFile }>>;
  readonly counts: Readonly<Record<Split, number>>;
  readonly rows: number;
  readonly cols: number;
  readonly normalization: Normalization;
  readonly classNames: ClassNames;
  /** Base URLs (ending in `/`) tried in order; each serves every `fileName`. */
  readonly mirrors: readonly string[];
  /** Directories where an OS package installs the files (searched last). */
  readonly systemDirs: readonly string[];
}

const MNIST_ORIGIN = 'original MNIST distribution';

const MNIST: DatasetSpec = {
  name: 'mnist',
  title: 'MNIST handwritten digits',
  files: {
    train: {
      images: {
        fileName: 'train-images-idx3-ubyte.gz',
        rawFileName: 'train-images-idx3-ubyte',
        gzip: [
          {
            bytes: 9_912_422,
            sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
            origin: MNIST_ORIGIN,
          },
        ],
        raw: { bytes: 47_040_016, sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
      },
      labels: {
        fileName: 'train-labels-idx1-ubyte.gz',
        rawFileName: 'train-labels-idx1-ubyte',
        gzip: [
          {
            bytes: 28_881,
            sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
            origin: MNIST_ORIGIN,
          },
        ],
        raw: { bytes: 60_008, sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
      },
    },
    test: {
      images: {
        fileName: 't10k-images-idx3-ubyte.gz',
        rawFileName: 't10k-images-idx3-ubyte',
        gzip: [
          {
            bytes: 1_648_877,
            sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
            origin: MNIST_ORIGIN,
          },
        ],
        raw: { bytes: 7_840_016, sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
      },
      labels: {
        fileName: 't10k-labels-idx1-ubyte.gz',
        rawFileName: 't10k-labels-idx1-ubyte',
        gzip: [
          {
            bytes: 4_542,
            sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
            origin: MNIST_ORIGIN,
          },
        ],
        raw: { bytes: 10_008, sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
      },
    },
  },
  counts: { train: 60_000, test: 10_000 },
  rows: 28,
  cols: 28,
  normalization: MNIST_NORMALIZATION,
  classNames: DIGIT_LABELS,
  mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
  systemDirs: [],
};

// Fashion-MNIST upstream publishes only MD5s of its .gz files. The Debian package
// dataset-fashion-mnist (0.0~git20200523.55506a9-1, /usr/share/datasets/fashion-mnist/) ships
// the same deflate streams with a normalised gzip header (no file name, mtime 2020-06-05), so
// its files are 23-24 bytes smaller and hash differently. Putting upstream's header back (file
// name, mtime 2017-08-31 10:50:06/27 UTC, xfl 0, os 3) reproduces each upstream file exactly:
// all four MD5s match upstream's (train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d, train-labels
// 25c81989df183df01b3e8a0aad5dffbe, t10k-images bef4ecab320f06d8554ea6380940ec79, t10k-labels
// bb300cfdad3c16e7a12a480ee83cd310); the upstream sha256s below are of those reconstructions.
const UPSTREAM_ORIGIN = 'fashion-mnist mirror (upstream release, 2017-08-31)';
const DEBIAN_ORIGIN = 'Debian package dataset-fashion-mnist 0.0~git20200523.55506a9-1';

const FASHION_MNIST: DatasetSpec = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST (Zalando article images)',
  files: {
    train: {
      images: {
        fileName: 'train-images-idx3-ubyte.gz',
        rawFileName: 'train-images-idx3-ubyte',
        gzip: [
          {
            bytes: 26_421_880,
            sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
            origin: UPSTREAM_ORIGIN,
          },
          {
            bytes: 26_421_856,
            sha256: 'b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7',
            origin: DEBIAN_ORIGIN,
          },
        ],
        raw: { bytes: 47_040_016, sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
      },
      labels: {
        fileName: 'train-labels-idx1-ubyte.gz',
        rawFileName: 'train-labels-idx1-ubyte',
        gzip: [
          {
            bytes: 29_515,
            sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
            origin: UPSTREAM_ORIGIN,
          },
          {
            bytes: 29_491,
            sha256: '0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056',
            origin: DEBIAN_ORIGIN,
          },
        ],
        raw: { bytes: 60_008, sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
      },
    },
    test: {
      images: {
        fileName: 't10k-images-idx3-ubyte.gz',
        rawFileName: 't10k-images-idx3-ubyte',
        gzip: [
          {
            bytes: 4_422_102,
            sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
            origin: UPSTREAM_ORIGIN,
          },
          {
            bytes: 4_422_079,
            sha256: 'cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa',
            origin: DEBIAN_ORIGIN,
          },
        ],
        raw: { bytes: 7_840_016, sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
      },
      labels: {
        fileName: 't10k-labels-idx1-ubyte.gz',
        rawFileName: 't10k-labels-idx1-ubyte',
        gzip: [
          {
            bytes: 5_148,
            sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
            origin: UPSTREAM_ORIGIN,
          },
          {
            bytes: 5_125,
            sha256: '8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05',
            origin: DEBIAN_ORIGIN,
          },
        ],
        raw: { bytes: 10_008, sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
      },
    },
  },
  counts: { train: 60_000, test: 10_000 },
  rows: 28,
  cols: 28,
  normalization: FASHION_MNIST_NORMALIZATION,
  classNames: FASHION_MNIST_LABELS,
  mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  systemDirs: ['/usr/share/datasets/fashion-mnist'],
};

/** Every dataset the project can load, by name. */
export const DATASETS = {
  mnist: MNIST,
  'fashion-mnist': FASHION_MNIST,
} as const satisfies Record<string, DatasetSpec>;

export type DatasetName = keyof typeof DATASETS;
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/**
 * Looks a dataset up by name.
 *
 * @example
 * ```ts
 * getDatasetSpec('mnist').counts.test; // 10000
 * ```
 */
export function getDatasetSpec(name: string): DatasetSpec {
  if (!Object.hasOwn(DATASETS, name)) {
    throw new ONNXPIPE_DATA_UNKNOWN_DATASET(invalidChoiceMessage('name', DATASET_NAMES, name));
  }
  return DATASETS[name as DatasetName];
}

/** Throws unless `split` is `train` or `test`. */
export function assertSplit(split: string): asserts split is Split {
  if (!SPLITS.includes(split as Split)) {
    throw new ONNXPIPE_DATA_UNKNOWN_SPLIT(invalidChoiceMessage('split', SPLITS, split));
  }
}

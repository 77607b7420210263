import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MNIST_NORMALIZATION, preprocessDigit } from '@onnxpipe/core';
import { HANDWRITING_VARIANTS, preprocessDigitReference } from '@onnxpipe/core/testing';
import { devSetDir, readDigitFolder } from '@onnxpipe/data';

// Clean scans and drawings of real handwriting must preprocess as they always have, whatever the
// photo path adds for noisy pictures: a 16×16 envelope scan or a 32×32 bitmap fills its image to
// the border, which a photo's border cleaning must not take for a paper edge. The frozen
// reference (core/testing) is the preprocessing every model so far was measured with.

const dir = devSetDir();
const skip =
  dir === undefined ? 'no development set (ONNXPIPE_DEV_SET_DIR or ../shared/datasets/uji-pen-digits)' : undefined;
const REFERENCE_OPTIONS = {
  normalization: MNIST_NORMALIZATION,
  skip: false,
  fitSize: 20,
  outputSize: 28,
  inkThreshold: 32,
} as const;

test(
  'every form of the real-handwriting dev set preprocesses as the reference does, none of it empty',
  { skip },
  () => {
    const items = readDigitFolder(dir!).items.filter((_, i) => i % 3 === 0);
    const failures: string[] = [];
    for (const variant of HANDWRITING_VARIANTS) {
      let empty = 0;
      let different = 0;
      for (const item of items) {
        const image = variant.make(item.image);
        const result = preprocessDigit(image, { normalization: MNIST_NORMALIZATION });
        if (result.empty) empty++;
        const reference = preprocessDigitReference(image, REFERENCE_OPTIONS);
        if (result.pixels.some((value, i) => value !== reference.pixels[i])) different++;
      }
      process.stdout.write(
        `# ${variant.name}: ${empty} empty, ${different} differ from the reference (of ${items.length})\n`,
      );
      if (empty > 0 || different > 0)
        failures.push(`${variant.name}: ${empty} empty, ${different} different of ${items.length}`);
    }
    assert.deepEqual(failures, []);
  },
);

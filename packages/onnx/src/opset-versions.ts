import { describeValue } from '@onnxpipe/core';
import { ONNXPIPE_ONNX_UNSUPPORTED_OPSET } from './errors.js';

/**
 * Default-domain (`ai.onnx`) opsets this package knows the IR version for. 7 is the oldest
 * opset onnxruntime runs; 23 is the newest in ONNX's release table (onnx 1.18).
 */
export const SUPPORTED_OPSETS = { min: 7, max: 23 } as const;

// The oldest IR version that can carry each opset: the IR version of the first ONNX release
// that shipped it, from ONNX's release table (`VERSION_TABLE` in onnx/helper.py, mirrored in
// docs/Versioning.md). Note opset 14 came with onnx 1.9 at IR 7, not with IR 8.
const FIRST_IR_VERSION: Readonly<Record<number, number>> = {
  7: 3, // onnx 1.2
  8: 3, // 1.3
  9: 4, // 1.4.1
  10: 5, // 1.5
  11: 6, // 1.6
  12: 7, // 1.7
  13: 7, // 1.8
  14: 7, // 1.9
  15: 8, // 1.10
  16: 8, // 1.11
  17: 8, // 1.12
  18: 8, // 1.13
  19: 9, // 1.14
  20: 9, // 1.15
  21: 10, // 1.16
  22: 10, // 1.17
  23: 11, // 1.18
};

/**
 * The IR version to write for a model whose default-domain opset is `opset`: the oldest IR
 * version that can carry it, so the file loads in as many runtimes and checkers as possible
 * (e.g. opset 17 → IR 8, which onnx 1.12's checker accepts).
 *
 * @throws ONNXPIPE_ONNX_UNSUPPORTED_OPSET outside {@link SUPPORTED_OPSETS}
 *
 * @example
 * ```ts
 * irVersionForOpset(13); // 7
 * irVersionForOpset(17); // 8
 * ```
 */
export function irVersionForOpset(opset: number): number {
  const irVersion = Number.isInteger(opset) ? FIRST_IR_VERSION[opset] : undefined;
  if (irVersion === undefined) {
    throw new ONNXPIPE_ONNX_UNSUPPORTED_OPSET(
      `'opset' must be an integer from ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max}; received ${describeValue(opset)}`,
    );
  }
  return irVersion;
}

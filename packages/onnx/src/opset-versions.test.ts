import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { irVersionForOpset, SUPPORTED_OPSETS } from './opset-versions.js';
import { ONNX_CHECKER_PYTHON } from './testing/onnx-checker.js';

describe('irVersionForOpset', () => {
  it('gives the IR version of the first ONNX release with each opset', () => {
    assert.deepEqual(
      [13, 14, 15, 16, 17].map((opset) => irVersionForOpset(opset)),
      [7, 7, 8, 8, 8],
    );
    assert.equal(irVersionForOpset(SUPPORTED_OPSETS.min), 3);
    assert.equal(irVersionForOpset(19), 9);
    assert.equal(irVersionForOpset(21), 10);
    assert.equal(irVersionForOpset(SUPPORTED_OPSETS.max), 11);
  });

  it('agrees with onnx.helper of the installed onnx (1.12) for every opset it knows', () => {
    const script = [
      'import json, onnx.helper as h',
      "print(json.dumps({v: ir for (d, v), ir in h.OP_SET_ID_VERSION_MAP.items() if d == 'ai.onnx'}))",
    ].join('\n');
    const table = JSON.parse(execFileSync(ONNX_CHECKER_PYTHON, ['-c', script], { encoding: 'utf8' })) as Record<
      string,
      number
    >;
    let compared = 0;
    for (const [opset, ir] of Object.entries(table)) {
      if (Number(opset) < SUPPORTED_OPSETS.min) continue;
      assert.equal(irVersionForOpset(Number(opset)), ir, `opset ${opset}`);
      compared++;
    }
    assert.equal(compared, 11); // opsets 7..17
  });

  it('throws ONNXPIPE_ONNX_UNSUPPORTED_OPSET with the supported range outside it', () => {
    for (const opset of [6, 99, 0, 13.5, Number.NaN]) {
      assert.throws(() => irVersionForOpset(opset), {
        code: 'ONNXPIPE_ONNX_UNSUPPORTED_OPSET',
        message: new RegExp(`'opset' must be an integer from 7 to ${SUPPORTED_OPSETS.max}; received`),
      });
    }
  });
});

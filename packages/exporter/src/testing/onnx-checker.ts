import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's python3-onnx (onnx 1.12: IR ≤ 8, opset ≤ 17). Another `python3` may come first on
 * PATH without the package, hence the absolute path.
 */
export const ONNX_PYTHON = '/usr/bin/python3';
/** Newest default-domain opset that checker knows. */
export const CHECKER_MAX_OPSET = 17;

const SCRIPT = `
import json, sys, onnx
failures = {}
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception as error:
        failures[path] = f"{type(error).__name__}: {error}"
print(json.dumps(failures))
`;

/** A model that `onnx.checker.check_model(full_check=True)` rejected. */
export interface CheckerFailure {
  readonly name: string;
  readonly message: string;
}

/**
 * Runs `onnx.checker.check_model(model, full_check=True)` (which includes strict shape
 * inference) on every model in one Python process, and returns the rejected ones. Unlike
 * `checkOnnxModel` from `@onnxpipe/onnx/testing` (one process per model) this batches: the
 * converter tests check a few hundred exports, and each Python start costs ~0.4 s here.
 *
 * @param models - model bytes by a name for the report (used as the temp file's name)
 */
export function checkOnnxModels(models: ReadonlyMap<string, Uint8Array>): CheckerFailure[] {
  if (models.size === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'onnxpipe-check-'));
  try {
    const byPath = new Map<string, string>();
    let i = 0;
    for (const [name, bytes] of models) {
      const path = join(dir, `${i++}-${name.replace(/[^\w.-]+/g, '_')}.onnx`);
      writeFileSync(path, bytes);
      byPath.set(path, name);
    }
    const result = spawnSync(ONNX_PYTHON, ['-c', SCRIPT, ...byPath.keys()], { encoding: 'utf8' });
    if (result.error !== undefined || result.status !== 0) {
      throw new Error(
        `${ONNX_PYTHON} with the onnx package failed (is python3-onnx installed?): ${result.error?.message ?? result.stderr}`,
      );
    }
    const failures = JSON.parse(result.stdout) as Record<string, string>;
    return Object.entries(failures).map(([path, message]) => ({ name: byPath.get(path) ?? path, message }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// NODE-ONLY, TESTS ONLY. This file runs a Python subprocess, so it lives under the `testing`
// subpath (`@onnxpipe/onnx/testing`), outside the isomorphic main entry, and is never bundled.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The interpreter that has Debian's python3-onnx (onnx 1.12: IR ≤ 8, opset ≤ 17). Another
 * `python3` may come first on PATH without the package, hence the absolute path.
 */
export const ONNX_CHECKER_PYTHON = '/usr/bin/python3';
/** Newest default-domain opset that checker knows. */
export const CHECKER_MAX_OPSET = 17;

// full_check=True adds strict shape inference to the structural checks.
const CHECK_SCRIPT = `
import json, sys
import onnx
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

/** What the independent checker said about one model. */
export interface OnnxCheckResult {
  /** `true` when `onnx.checker.check_model(model, full_check=True)` passed. */
  ok: boolean;
  /** `ok`, or the checker's error (exception class and message). */
  message: string;
}

/**
 * Runs ONNX's own checker on every model in ONE Python process (each start costs ~0.4 s here,
 * and the exporter's tests check a few hundred models) and returns the rejected ones.
 *
 * @param models - model bytes by a name for the report (also used in the temp file's name)
 * @throws Error when the checker itself cannot run (no python3, no onnx module)
 */
export function checkOnnxModels(
  models: ReadonlyMap<string, Uint8Array>,
  options: { python?: string } = {},
): CheckerFailure[] {
  if (models.size === 0) return [];
  const python = options.python ?? ONNX_CHECKER_PYTHON;
  const dir = mkdtempSync(join(tmpdir(), 'onnxpipe-check-'));
  try {
    const byPath = new Map<string, string>();
    let i = 0;
    for (const [name, bytes] of models) {
      const path = join(dir, `${i++}-${name.replace(/[^\w.-]+/g, '_')}.onnx`);
      writeFileSync(path, bytes);
      byPath.set(path, name);
    }
    const result = spawnSync(python, ['-c', CHECK_SCRIPT, ...byPath.keys()], { encoding: 'utf8', timeout: 120_000 });
    if (result.error !== undefined || result.status !== 0) {
      throw new Error(
        `the ONNX checker could not run (${python} with python3-onnx): ${result.error?.message ?? result.stderr}`,
      );
    }
    const failures = JSON.parse(result.stdout) as Record<string, string>;
    return Object.entries(failures).map(([path, message]) => ({ name: byPath.get(path) ?? path, message }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the checker on one model.
 *
 * @example
 * ```ts
 * const result = await checkOnnxModel(encodeModel(model));
 * assert.equal(result.ok, true, result.message);
 * ```
 */
export async function checkOnnxModel(bytes: Uint8Array, options: { python?: string } = {}): Promise<OnnxCheckResult> {
  const [failure] = checkOnnxModels(new Map([['model', bytes]]), options);
  return failure === undefined ? { ok: true, message: 'ok' } : { ok: false, message: failure.message };
}

/** Like {@link checkOnnxModel}, but throws an Error with the checker's message on failure. */
export async function assertValidOnnx(bytes: Uint8Array, options: { python?: string } = {}): Promise<void> {
  const result = await checkOnnxModel(bytes, options);
  if (!result.ok) throw new Error(`onnx.checker rejected the model: ${result.message}`);
}

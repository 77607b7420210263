// NODE-ONLY, TESTS ONLY. This file runs a Python subprocess, so it lives under the `testing`
// subpath (`@onnxpipe/onnx/testing`), outside the isomorphic main entry, and is never bundled.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The interpreter that has Debian's python3-onnx (another `python3` may come first on PATH). */
export const ONNX_CHECKER_PYTHON = '/usr/bin/python3';

// full_check=True adds strict shape inference to the structural checks.
const CHECK_SCRIPT = `
import sys
try:
    import onnx
except ImportError as error:
    print(f"onnx python package missing: {error}")
    sys.exit(2)
try:
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)
except Exception as error:
    print(f"{type(error).__name__}: {error}")
    sys.exit(1)
print("ok")
`;

/** What the independent checker said about a model. */
export interface OnnxCheckResult {
  /** `true` when `onnx.checker.check_model(model, full_check=True)` passed. */
  ok: boolean;
  /** `ok`, or the checker's error (exception class and message). */
  message: string;
}

function run(python: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(python, args, { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}`.trim() || (error?.message ?? '') });
    });
  });
}

/**
 * Runs ONNX's own checker (onnx 1.12 from python3-onnx: opset <= 17, IR <= 8) on model bytes,
 * as an independent judge of files this project writes. The bytes go through a temp file.
 *
 * @throws Error when the checker itself cannot run (no python3, no onnx module)
 *
 * @example
 * ```ts
 * const result = await checkOnnxModel(encodeModel(model));
 * assert.equal(result.ok, true, result.message);
 * ```
 */
export async function checkOnnxModel(
  bytes: Uint8Array,
  options: { python?: string } = {},
): Promise<OnnxCheckResult> {
  const dir = await mkdtemp(join(tmpdir(), 'onnxpipe-check-'));
  try {
    const file = join(dir, 'model.onnx');
    await writeFile(file, bytes);
    const { code, output } = await run(options.python ?? ONNX_CHECKER_PYTHON, ['-c', CHECK_SCRIPT, file]);
    if (code === 0) return { ok: true, message: output };
    if (code === 1) return { ok: false, message: output };
    throw new Error(`the ONNX checker could not run (exit code ${code}): ${output}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Like {@link checkOnnxModel}, but throws an Error with the checker's message on failure. */
export async function assertValidOnnx(bytes: Uint8Array, options: { python?: string } = {}): Promise<void> {
  const result = await checkOnnxModel(bytes, options);
  if (!result.ok) throw new Error(`onnx.checker rejected the model: ${result.message}`);
}

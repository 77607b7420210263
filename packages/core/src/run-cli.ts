// The one way the project's command-line tools (npm run train, export, quantize) read their
// command line and end: the exit code, and how a failure is printed. Core stays isomorphic: each
// CLI passes in its Node process, of which this uses only what CliProcess lists.

/** The part of Node's process object that {@link runCli} uses. */
export interface CliProcess {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  exitCode?: number | string | null;
}

/** What a command-line tool is made of. */
export interface CliSpec<Options> {
  /** Reads the command line: the options, or `'help'` for `-h`/`--help`. */
  parse(): Options | 'help';
  /** What `--help` prints. */
  readonly help: string;
  /** The class of a bad command line, thrown by `parse`. */
  readonly usageError: abstract new (...args: never[]) => Error;
  /** The work; resolves to the exit code. */
  run(options: Options): Promise<number>;
}

/**
 * Runs a command-line tool and sets its exit code: `--help` prints the help (0); a usage error
 * from `parse` prints `error: <message>` (2); any other failure prints one line,
 * `error [<code>]: <message>`, and the stack as well when `ONNXPIPE_DEBUG` is set (1). One clear
 * line matters: an uncaught error would reach the wasm runtime's own handler, which rethrows it
 * together with its whole minified source.
 *
 * @example
 * ```ts
 * await runCli(process, { parse: () => parseArgs(process.argv.slice(2)), help: HELP, usageError: UsageError, run });
 * ```
 */
export async function runCli<Options>(proc: CliProcess, spec: CliSpec<Options>): Promise<void> {
  try {
    proc.exitCode = await parseAndRun(proc, spec);
  } catch (error) {
    const e = error as Error & { code?: string };
    proc.stderr.write(`\nerror${e.code ? ` [${e.code}]` : ''}: ${e.message}\n`);
    if (proc.env.ONNXPIPE_DEBUG) proc.stderr.write(`${e.stack}\n`);
    proc.exitCode = 1;
  }
}

async function parseAndRun<Options>(proc: CliProcess, spec: CliSpec<Options>): Promise<number> {
  let options: Options | 'help';
  try {
    options = spec.parse();
  } catch (error) {
    if (error instanceof spec.usageError) {
      proc.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    proc.stdout.write(spec.help);
    return 0;
  }
  return spec.run(options);
}

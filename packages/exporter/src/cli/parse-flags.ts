import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ExportUsageError } from '../errors.js';

/**
 * The flags of one of the exporter's CLIs, read strictly by node:util's parseArgs; what it refuses
 * (an unknown flag, a missing value) becomes a usage error (exit 2) with a pointer to --help.
 */
export function parseFlags<const Options extends ParseArgsOptionsConfig>(argv: string[], options: Options) {
  try {
    return parseArgs({ args: argv, strict: true, options }).values;
  } catch (error) {
    throw new ExportUsageError(`${(error as Error).message}\nRun with --help for the list of options.`);
  }
}

/** A bad command line: the CLIs print the message and exit 2. */
export class ExportUsageError extends Error {
  readonly code = 'ONNXPIPE_EXPORT_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'ExportUsageError';
  }
}

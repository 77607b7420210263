import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createProgressReporter, type ProgressReporter } from '@onnxpipe/core';
import { ONNXPIPE_DATA_DOWNLOAD_FAILED } from './errors.js';
import { placementHint } from './locate.js';
import type { DatasetFile } from './registry.js';
import { verifyFile, type VerifiedFile } from './verify.js';

/** Progress of one file from one mirror. */
export interface DownloadProgress {
  readonly fileName: string;
  readonly url: string;
  readonly bytesDone: number;
  /** From `Content-Length`; `undefined` when the server does not say. */
  readonly bytesTotal: number | undefined;
}

/** A stream such as `process.stderr`; a bar is drawn only when `isTTY` is true. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface DownloadOptions {
  readonly files: readonly DatasetFile[];
  /** Base URLs tried in order for each file. */
  readonly mirrors: readonly string[];
  /** Destination directory (created if needed). */
  readonly dir: string;
  /** Dataset name, for messages. */
  readonly label?: string;
  /** Connect and idle timeout per request. @defaultValue `30_000` */
  readonly timeoutMs?: number;
  /** @defaultValue `5` */
  readonly maxRedirects?: number;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly progressStream?: ProgressStream;
  readonly signal?: AbortSignal;
}

type RequestOptions = Required<Pick<DownloadOptions, 'timeoutMs' | 'maxRedirects'>> & Pick<DownloadOptions, 'signal'>;

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Node's happy-eyeballs connect reports one error per address, with an empty message.
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) return error.message || String((error as NodeJS.ErrnoException).code ?? error.name);
  return String(error);
}

function requestOnce(url: URL, options: RequestOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (client === undefined) {
      reject(new Error(`unsupported protocol ${url.protocol}`));
      return;
    }
    // No keep-alive agent: a handful of large files gains nothing from pooling, and pooled
    // sockets would keep the process (and test servers) alive after the download.
    const req = client.get(url, { agent: false, timeout: options.timeoutMs, signal: options.signal }, resolve);
    // `timeout` covers connecting and every idle gap while the body streams.
    req.on('timeout', () => req.destroy(new Error(`no data for ${options.timeoutMs} ms (timeout)`)));
    req.on('error', reject);
  });
}

/** GETs `url`, following up to `maxRedirects` redirects; resolves once a 200 arrives. */
async function get(url: URL, options: RequestOptions): Promise<{ res: IncomingMessage; url: URL }> {
  for (let hops = 0; ; hops++) {
    const res = await requestOnce(url, options);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location !== undefined) {
      res.resume();
      if (hops >= options.maxRedirects) throw new Error(`more than ${options.maxRedirects} redirects`);
      url = new URL(res.headers.location, url);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new Error(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
    }
    return { res, url };
  }
}

/** Streams one URL into `tmpPath`; rejects on any transport problem or a short body. */
async function fetchToFile(
  url: URL,
  tmpPath: string,
  file: DatasetFile,
  options: DownloadOptions & RequestOptions,
): Promise<void> {
  const { res } = await get(url, options);
  const header = res.headers['content-length'];
  const total = header === undefined ? undefined : Number(header);
  let done = 0;
  let bar: ProgressReporter | undefined;
  const stream = options.progressStream;
  if (stream?.isTTY === true) {
    bar = createProgressReporter({
      write: (s) => stream.write(s),
      isTTY: true,
      label: file.fileName,
      total,
      unit: 'B',
    });
  }
  const report = (): void => {
    bar?.update(done);
    options.onProgress?.({ fileName: file.fileName, url: url.href, bytesDone: done, bytesTotal: total });
  };
  try {
    report();
    await pipeline(
      res,
      async function* count(source: AsyncIterable<Uint8Array>) {
        for await (const chunk of source) {
          done += chunk.length;
          report();
          yield chunk;
        }
      },
      // 'wx': the name is ours alone; never follow or clobber something already there.
      createWriteStream(tmpPath, { flags: 'wx' }),
    );
  } catch (error) {
    throw new Error(`connection failed after ${done} bytes: ${describeError(error)}`, { cause: error });
  } finally {
    bar?.done(done);
  }
  if (total !== undefined && done !== total) {
    throw new Error(`connection closed after ${done} of ${total} bytes`);
  }
}

/**
 * Downloads one file into `options.dir`, trying each mirror in order. A copy is only
 * renamed into place once its checksum is verified, so the directory never holds a partial
 * or wrong file under a real name.
 */
export async function downloadFile(file: DatasetFile, options: DownloadOptions): Promise<VerifiedFile> {
  const opts = { timeoutMs: 30_000, maxRedirects: 5, ...options };
  await mkdir(opts.dir, { recursive: true });
  const attempts: string[] = [];
  for (const mirror of opts.mirrors) {
    // Without the trailing slash, URL resolution would replace the mirror's last segment.
    const url = new URL(file.fileName, mirror.endsWith('/') ? mirror : `${mirror}/`);
    const tmpPath = join(opts.dir, `.${file.fileName}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
    try {
      await fetchToFile(url, tmpPath, file, opts);
      const check = await verifyFile(tmpPath, file, false);
      if (!check.ok) throw new Error(check.reason);
      const finalPath = join(opts.dir, check.file.form === 'gzip' ? file.fileName : file.rawFileName);
      await rename(tmpPath, finalPath);
      return { ...check.file, path: finalPath };
    } catch (error) {
      attempts.push(`  ${url.href}: ${describeError(error)}`);
      if (opts.signal?.aborted === true) break;
    } finally {
      await rm(tmpPath, { force: true });
    }
  }
  const what = opts.label === undefined ? file.fileName : `${file.fileName} (${opts.label})`;
  const tried = attempts.length > 0 ? ['Tried:', ...attempts] : ['No mirrors are configured.'];
  throw new ONNXPIPE_DATA_DOWNLOAD_FAILED(
    [`Could not download ${what}.`, ...tried, placementHint(opts.files, opts.dir)].join('\n'),
  );
}

/**
 * Downloads each of `options.files` in turn (see {@link downloadFile}).
 *
 * @example
 * ```ts
 * const spec = getDatasetSpec('mnist');
 * await downloadFiles({
 *   files: [spec.files.test.images, spec.files.test.labels], mirrors: spec.mirrors,
 *   dir: datasetCacheDir(spec), progressStream: process.stderr,
 * });
 * ```
 */
export async function downloadFiles(options: DownloadOptions): Promise<VerifiedFile[]> {
  const results: VerifiedFile[] = [];
  for (const file of options.files) results.push(await downloadFile(file, options));
  return results;
}

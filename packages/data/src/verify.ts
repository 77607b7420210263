import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { isGzip } from './idx-reader.js';
import type { DatasetFile } from './registry.js';

/** A file on disk whose content the registry vouches for. */
export interface VerifiedFile {
  readonly path: string;
  /** sha256 of the file as it is on disk (gzip or raw). */
  readonly sha256: string;
  readonly form: 'gzip' | 'raw';
}

export type Verification =
  | { readonly ok: true; readonly file: VerifiedFile }
  | { readonly ok: false; readonly path: string; readonly reason: string };

interface Digests {
  readonly sha256: string;
  /** sha256 of the decompressed content, for gzip files; an error text if it did not inflate. */
  readonly rawSha256?: string;
  readonly gunzipError?: string;
}

// Keyed by path, size and mtime: a second load in the same process (train then test, or a
// test suite) skips re-hashing, while a replaced file is hashed again.
const digestCache = new Map<string, Digests>();

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gzipIsize(bytes: Uint8Array): number {
  const n = bytes.length;
  return (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
}

async function computeDigests(path: string, file: DatasetFile): Promise<Digests> {
  const bytes = await readFile(path);
  const own = sha256(bytes);
  if (file.gzip.some((g) => g.sha256 === own) || file.raw.sha256 === own || !isGzip(bytes)) {
    return { sha256: own };
  }
  // An unknown gzip encoding: the decompressed content decides. The gzip trailer's size
  // field (mod 2^32) lets an unrelated file be rejected without inflating it.
  if (bytes.length < 18 || gzipIsize(bytes) !== file.raw.bytes % 0x1_0000_0000) {
    return { sha256: own, rawSha256: '' };
  }
  try {
    return { sha256: own, rawSha256: sha256(gunzipSync(bytes)) };
  } catch (cause) {
    return { sha256: own, gunzipError: (cause as Error).message };
  }
}

/** The sha256 values a file may have, for messages. */
export function expectedHashes(file: DatasetFile): string {
  const gz = file.gzip.map((g) => `${g.sha256} (${file.fileName}, ${g.origin})`);
  return [...gz, `${file.raw.sha256} (${file.rawFileName}, or the content of any .gz of it)`].join(' or ');
}

/**
 * Checks that `path` holds `file`, compressed in a known or unknown way, or raw.
 * Never throws for a wrong or unreadable file: it says why in `reason`.
 *
 * @param useCache - reuse digests of an unchanged file @defaultValue `true`
 */
export async function verifyFile(path: string, file: DatasetFile, useCache = true): Promise<Verification> {
  let key: string;
  let digests: Digests | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, path, reason: 'not a regular file' };
    key = `${path}\0${info.size}\0${info.mtimeMs}\0${file.raw.sha256}`;
    digests = useCache ? digestCache.get(key) : undefined;
    if (digests === undefined) {
      digests = await computeDigests(path, file);
      if (useCache) digestCache.set(key, digests);
    }
  } catch (cause) {
    return { ok: false, path, reason: `cannot read: ${(cause as Error).message}` };
  }

  const { sha256: own, rawSha256, gunzipError } = digests;
  if (file.gzip.some((g) => g.sha256 === own) || rawSha256 === file.raw.sha256) {
    return { ok: true, file: { path, sha256: own, form: 'gzip' } };
  }
  if (own === file.raw.sha256) return { ok: true, file: { path, sha256: own, form: 'raw' } };
  if (gunzipError !== undefined) return { ok: false, path, reason: `corrupt gzip data (${gunzipError})` };
  return {
    ok: false,
    path,
    reason: `checksum mismatch: expected sha256 ${expectedHashes(file)}; received ${own}`,
  };
}

/** Forgets cached digests (tests that rewrite files within the same millisecond). */
export function clearVerifyCache(): void {
  digestCache.clear();
}

import autocannon from 'autocannon';

/** One autocannon run against one URL. */
export interface LoadOptions {
  readonly url: string;
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Per-request timeout, counted as an error. @defaultValue 10 */
  readonly timeoutSeconds?: number;
}

/** What one run measured. Latencies are whole milliseconds (autocannon's histogram). */
export interface LoadResult {
  readonly connections: number;
  readonly durationSeconds: number;
  /** 2xx responses. */
  readonly ok: number;
  /** 2xx responses per second over the whole run. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** Responses per status code, e.g. `{ "200": 1234, "503": 2 }`. */
  readonly statusCodes: Readonly<Record<string, number>>;
}

/**
 * POSTs `body` over `connections` keep-alive connections (one request in flight on each, no
 * pipelining: each connection is one client waiting for its answer) for `durationSeconds`.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': options.contentType },
    body: Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength),
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
    timeout: options.timeoutSeconds ?? 10,
  });
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats?.count ?? 0]),
  );
  return {
    connections: options.connections,
    durationSeconds: result.duration,
    ok: result['2xx'],
    requestsPerSecond: result.duration > 0 ? result['2xx'] / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
  };
}

// Accept-Encoding for the files the server compresses itself (the model files): brotli when the
// client takes it, else gzip, else the bytes as they are. The rules are RFC 9110's: q=0 refuses
// an encoding, `*` stands for any encoding not named, `identity` is acceptable unless refused.

/** Encodings the server can answer with, best first. */
export const CONTENT_ENCODINGS = ['br', 'gzip'] as const;
export type ContentEncoding = (typeof CONTENT_ENCODINGS)[number];

/** The encoding to answer `accept` with, or `undefined` for the bytes as they are. */
export function negotiateEncoding(accept: string | string[] | undefined): ContentEncoding | undefined {
  if (accept === undefined) return undefined;
  const weights = new Map<string, number>();
  for (const part of (Array.isArray(accept) ? accept.join(',') : accept).split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (token === '') continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(token, q === undefined ? 1 : Number(q));
  }
  const weight = (encoding: string) => weights.get(encoding) ?? weights.get('*') ?? 0;
  let best: ContentEncoding | undefined;
  for (const encoding of CONTENT_ENCODINGS)
    if (weight(encoding) > 0 && (best === undefined || weight(encoding) > weight(best))) best = encoding;
  return best;
}

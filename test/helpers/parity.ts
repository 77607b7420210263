import type { Page } from 'playwright-core';

// Asking the same digits of the server's POST /predict and of the SDK inside a page, in one
// comparable shape.

/** One prediction, reduced to what the parity tests compare. */
export interface Answer {
  readonly label: string;
  readonly probabilities: readonly number[];
}

/** Largest |a − b| over every probability of every answer. */
export function maxAbsDifference(a: readonly Answer[], b: readonly Answer[]): number {
  let max = 0;
  a.forEach((answer, i) => answer.probabilities.forEach((p, c) => (max = Math.max(max, Math.abs(p - b[i].probabilities[c])))));
  return max;
}

/** The server's answers for raw 28×28 pixel arrays, in requests of up to 64. */
export async function serverPredict(origin: string, images: readonly (readonly number[])[], preprocess: 'mnist' | 'none'): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let start = 0; start < images.length; start += 64) {
    const response = await fetch(`${origin}/predict?preprocess=${preprocess}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels: images.slice(start, start + 64) }),
    });
    if (!response.ok) throw new Error(`POST /predict: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { predictions: Answer[] };
    answers.push(...body.predictions.map(({ label, probabilities }) => ({ label, probabilities })));
  }
  return answers;
}

/** What {@link pageClassify} runs: a local classifier of `modelUrl` on `device`, or a remote one on the page's server. */
export type PageClassifier =
  | { readonly modelUrl: string; readonly device: 'wasm' | 'webgpu' | 'auto'; readonly remote?: undefined }
  | { readonly remote: true };

/**
 * Loads the SDK bundle the server hosts into `page` (which must be served by it), creates a
 * classifier and predicts `images` (raw pixel arrays) in one call.
 */
export async function pageClassify(
  page: Page,
  options: PageClassifier & { readonly images: readonly (readonly number[])[]; readonly preprocess: 'mnist' | 'none' },
): Promise<{ answers: Answer[]; executionProvider: string }> {
  return page.evaluate(async ({ images, preprocess, ...which }) => {
    // The page's own copy of the SDK: one onnxruntime-web instance, the one the demo uses.
    const sdk = await import(new URL('/onnxpipe-web.js', location.href).href);
    const classifier = which.remote
      ? await sdk.createRemoteClassifier(location.origin)
      : await sdk.createClassifier(which.modelUrl, { device: which.device });
    try {
      const result = await classifier.predict(images, { preprocess });
      return {
        executionProvider: String(result.executionProvider),
        answers: result.predictions.map((p: Answer) => ({ label: p.label, probabilities: [...p.probabilities] })),
      };
    } finally {
      await classifier.dispose();
    }
  }, options as never);
}

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
  a.forEach((answer, i) =>
    answer.probabilities.forEach((p, c) => (max = Math.max(max, Math.abs(p - b[i].probabilities[c])))),
  );
  return max;
}

/** The server's answers for raw 28×28 pixel arrays, in requests of up to 64 (of `version`, else the highest loaded). */
export async function serverPredict(
  origin: string,
  images: readonly (readonly number[])[],
  preprocess: 'mnist' | 'none',
  version?: string,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let start = 0; start < images.length; start += 64) {
    const response = await fetch(
      `${origin}/predict?preprocess=${preprocess}${version === undefined ? '' : `&version=${version}`}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pixels: images.slice(start, start + 64) }),
      },
    );
    if (!response.ok) throw new Error(`POST /predict: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { predictions: Answer[] };
    answers.push(...body.predictions.map(({ label, probabilities }) => ({ label, probabilities })));
  }
  return answers;
}

/**
 * What {@link pageClassify} runs: a local classifier of `modelUrl` on `device`, or a remote one on
 * the page's server.
 */
export type PageClassifier =
  | { readonly modelUrl: string; readonly device: 'wasm' | 'webgpu' | 'auto'; readonly remote?: undefined }
  | { readonly remote: true };

type PreprocessMode = 'mnist' | 'none';

/**
 * Loads the SDK bundle the server hosts into `page` (which must be served by it), creates one
 * classifier and predicts `images` (raw pixel arrays) with each preprocessing mode, in one call.
 */
export async function pageClassify<M extends PreprocessMode>(
  page: Page,
  options: PageClassifier & { readonly images: readonly (readonly number[])[]; readonly preprocess: readonly M[] },
): Promise<{ answers: Record<M, Answer[]>; executionProvider: string }> {
  const argument = {
    images: options.images,
    preprocess: options.preprocess as readonly PreprocessMode[],
    remote: options.remote === true,
    modelUrl: options.remote ? '' : options.modelUrl,
    device: options.remote ? 'auto' : options.device,
  };
  const result = await page.evaluate(async ({ images, preprocess, ...which }) => {
    // The page's own copy of the SDK: one onnxruntime-web instance, the one the demo uses.
    const sdk = await import(new URL('/onnxpipe-web.js', location.href).href);
    const classifier = which.remote
      ? await sdk.createRemoteClassifier(location.origin)
      : await sdk.createClassifier(which.modelUrl, { device: which.device });
    try {
      const answers: Record<string, Answer[]> = {};
      let executionProvider = '';
      for (const mode of preprocess) {
        const result = await classifier.predict(images, { preprocess: mode });
        executionProvider = String(result.executionProvider);
        answers[mode] = result.predictions.map((p: Answer) => ({
          label: p.label,
          probabilities: [...p.probabilities],
        }));
      }
      return { executionProvider, answers };
    } finally {
      await classifier.dispose();
    }
  }, argument);
  return result as { answers: Record<M, Answer[]>; executionProvider: string };
}

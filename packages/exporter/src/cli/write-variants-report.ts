import type { VariantsReport } from '../quantize/write-variants.js';

// The lines both CLIs print after writing variants: one per file, then the browsers' choice.

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

export function formatVariantsReport(report: VariantsReport): string {
  const lines = [`  model.onnx        ${mib(report.source.bytes)}  accuracy ${percent(report.source.testAccuracy)}`];
  for (const v of report.variants) {
    lines.push(
      `  ${v.file.padEnd(17)} ${mib(v.bytes)}  accuracy ${percent(v.testAccuracy)}  argmax agreement ${percent(v.argmaxAgreement)} (${v.disagreements} of ${v.testImages} differ)  max |Δp| ${v.maxProbabilityDiff.toExponential(1)}`,
    );
  }
  lines.push(
    `  browsers fetch ${report.web.file} (the smallest within ${report.web.maxAccuracyDropPoints} points of model.onnx); recorded in ${report.manifestPath}`,
  );
  return `${lines.join('\n')}\n`;
}

export { renderTrainingReport } from './training-report.js';
export { computeConfusionMatrix, renderConfusionMatrix } from './confusion-matrix.js';
export { renderDigitGrid } from './digit-grid.js';
export type { DigitGridOptions } from './digit-grid.js';
export { renderEpochTable, bestEpochIndex } from './epoch-table.js';
export { renderLineChart, lineChartGeometry } from './svg-line-chart.js';
export type {
  ChartAnnotation,
  ChartGeometry,
  ChartPoint,
  LineChartOptions,
  LineSeries,
  PlotArea,
} from './svg-line-chart.js';
export { linearScale, logScale, niceStep } from './chart-scale.js';
export type { LinearScaleOptions, Scale } from './chart-scale.js';
export { encodeGrayscalePng, grayscalePngDataUrl } from './png-encoder.js';
export { escapeHtml } from './html-escape.js';
export { ReportError, ReportErrorCode } from '../errors.js';
export { MAX_MISCLASSIFIED_SHOWN } from './report-types.js';
export type { EpochMetrics, MisclassifiedDigit, StepLoss, TrainingReportInput } from './report-types.js';

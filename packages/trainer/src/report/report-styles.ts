/**
 * The report's stylesheet, inlined into the document so the file renders the same offline.
 * System font stacks only: no web fonts, no external resources.
 */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --panel: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.generated { color: var(--muted); margin: 0 0 12px; font-size: 12px; }
.note { color: var(--muted); margin: 4px 0 10px; }
.confusions { columns: 4 10em; margin: 4px 0 12px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; }
thead th { font-weight: 600; color: #374151; border-bottom: 2px solid #d1d5db; }
tfoot th, tfoot td { border-top: 2px solid #d1d5db; border-bottom: none; }
table.summary { margin-top: 4px; }
table.summary th { text-align: left; color: #374151; font-weight: 600; white-space: nowrap; }
table.summary td { text-align: left; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; word-break: break-all; }
.summary-grid { display: flex; flex-wrap: wrap; gap: 0 32px; }
.summary-grid table.summary { flex: 1 1 320px; max-width: 540px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 24px; }
.charts figure { margin: 0; flex: 1 1 480px; max-width: 600px; }
.charts figcaption { font-weight: 600; margin: 0 0 4px; }
svg.chart { width: 100%; height: auto; display: block; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
svg.chart .grid { stroke: #e5e7eb; stroke-width: 1; }
svg.chart .axis { stroke: #374151; stroke-width: 1.2; fill: none; }
svg.chart .frame { fill: none; stroke: #d1d5db; }
svg.chart .tick { fill: #4b5563; font-size: 11px; }
svg.chart .axis-label { fill: #374151; font-size: 12px; }
svg.chart .legend { fill: #374151; font-size: 12px; }
svg.chart .annotation { font-size: 12px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg.chart .no-data { fill: var(--muted); font-size: 14px; }
table.epochs tr.best { background: #ecfdf5; font-weight: 600; }
table.epochs tbody th { text-align: right; font-weight: 600; }
table.confusion caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 12px; padding-top: 6px; }
table.confusion th, table.confusion td { text-align: center; min-width: 44px; padding: 5px 6px; }
table.confusion th.corner { font-weight: 500; font-size: 11px; color: var(--muted); text-align: left; white-space: nowrap; }
table.confusion tbody th, table.confusion tfoot th { text-align: right; padding-right: 10px; }
table.confusion td.cell { border: 1px solid #fff; }
table.confusion td.diag { font-weight: 700; outline: 2px solid #15803d; outline-offset: -2px; }
table.confusion td.zero { color: #d1d5db; }
table.confusion td.metric { color: #374151; background: var(--panel); font-size: 12px; }
table.confusion td.total { font-weight: 700; }
.digits { display: flex; flex-wrap: wrap; gap: 10px; }
figure.digit { margin: 0; padding: 4px; border: 1px solid var(--line); border-radius: 4px; background: #fff; text-align: center; }
figure.digit img { display: block; image-rendering: crisp-edges; image-rendering: pixelated; }
figure.digit figcaption { font-size: 12px; margin-top: 2px; white-space: nowrap; font-variant-numeric: tabular-nums; }
figure.digit .true { color: #15803d; font-weight: 700; }
figure.digit .pred { color: #dc2626; font-weight: 700; }
figure.digit .conf { color: var(--muted); }
@media print { body { padding: 0; } .charts figure { break-inside: avoid; } }
`;

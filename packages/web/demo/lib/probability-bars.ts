// The ten probabilities as horizontal bars, one list item per label (built once, then only
// their widths and numbers change: no layout churn while drawing).

export interface ProbabilityBars {
  /** Shows `probabilities` (label order); the most probable label's bar is highlighted. */
  update(probabilities: readonly number[]): void;
  reset(): void;
}

const percent = (p: number) => `${(p * 100).toFixed(p >= 0.995 || p < 0.0005 ? 0 : 1)} %`;

export function createProbabilityBars(list: HTMLOListElement, labels: readonly string[]): ProbabilityBars {
  list.replaceChildren();
  const rows = labels.map((label) => {
    const item = document.createElement('li');
    item.dataset.label = label;
    const name = document.createElement('span');
    name.textContent = label;
    const track = document.createElement('span');
    track.className = 'track';
    track.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.className = 'fill';
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'pct';
    item.append(name, track, value);
    list.append(item);
    return { item, fill, value, label };
  });

  const show = (probabilities: readonly number[] | undefined) => {
    const top = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    rows.forEach((row, i) => {
      const p = probabilities?.[i] ?? 0;
      row.fill.style.setProperty('--p', String(p));
      row.value.textContent = probabilities ? percent(p) : '';
      row.item.dataset.probability = String(p);
      row.item.classList.toggle('top', i === top);
      row.item.setAttribute('aria-label', probabilities ? `${row.label}: ${percent(p)}` : row.label);
    });
  };
  show(undefined);
  return { update: show, reset: () => show(undefined) };
}

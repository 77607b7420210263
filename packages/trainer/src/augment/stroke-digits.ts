import type { Rng } from '@onnxpipe/core';
import { drawCurve, type Point } from './pen.js';

/**
 * Digits drawn from pen-path templates: the shapes people write that MNIST (American census staff
 * and students, 1990s) has few or none of — a 1 with a long flag or a base or written in one
 * up-and-down stroke, a 2 with a loop, a flat-topped 3, a 4 with a curved open arm, a 5 in one
 * stroke, a 6 with a straight stem or a loop that crosses it, a crossed or hooked 7, an 8 of two
 * stacked loops, a 9 with a curved or slanted stem — besides each digit's common form. Every
 * drawing jitters each point of its template, its width and its pen, then goes through the same
 * variation as an MNIST digit (slant, rotation, elastic wobble, stroke width, resolution), so no
 * two are alike. The augmentation replaces a small share of the training digits by these.
 */
export function drawStrokeDigit(image: Uint8Array, size: number, label: number, random: Rng): void {
  const forms = TEMPLATES[label];
  const form = forms[random.nextInt(forms.length)];
  const height = DIGIT_HEIGHT * (0.85 + 0.15 * random.next());
  const width = height * form.width * (0.8 + 0.4 * random.next());
  const halfWidth = 0.8 + 1.0 * random.next();
  const left = size / 2 - width / 2;
  const top = size / 2 - height / 2;
  const jitter = () => (random.next() * 2 - 1) * POINT_JITTER;
  image.fill(0);
  for (const stroke of form.strokes) {
    const points: Point[] = stroke.map(([x, y]) => ({
      x: left + (x + jitter()) * width,
      y: top + (y + jitter()) * height,
    }));
    drawCurve(image, size, points, halfWidth);
  }
}

/** MNIST digits are about 20 pixels high in their 28×28 images. */
const DIGIT_HEIGHT = 20;
/** Largest move of a template point, as a fraction of the digit's width or height. */
const POINT_JITTER = 0.07;

/** A template: pen strokes through points in a unit box (x right, y down), and the box's width over its height. */
interface Form {
  readonly width: number;
  readonly strokes: readonly (readonly (readonly [number, number])[])[];
}

const form = (width: number, ...strokes: (readonly [number, number])[][]): Form => ({ width, strokes });

/** Points along an ellipse from angle `from` to `to` (degrees, 0 = right, 90 = down), as a pen loops. */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): [number, number][] {
  const steps = Math.max(4, Math.round(Math.abs(to - from) / 30));
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)] as [number, number];
  });
}

const NINE_HEAD = arc(0.45, 0.27, 0.45, 0.27, 10, -355);
const FIVE_BOWL: [number, number][] = [
  [0.18, 0.45],
  [0.55, 0.38],
  [0.9, 0.6],
  [0.85, 0.88],
  [0.45, 1],
  [0.05, 0.88],
];

const TEMPLATES: readonly (readonly Form[])[] = [
  // 0: an oval closed with a little overlap, or started off the top
  [form(0.7, arc(0.5, 0.5, 0.5, 0.5, -90, -455)), form(0.55, arc(0.5, 0.5, 0.5, 0.5, -60, -410))],
  // 1: a bare stem; a flag; a long steep flag; a short flag and a base; a cursive loop; a long flag and a curved stem
  [
    form(0.12, [
      [0.5, 0],
      [0.5, 1],
    ]),
    form(
      0.5,
      [
        [0.05, 0.38],
        [0.8, 0],
      ],
      [
        [0.8, 0],
        [0.75, 1],
      ],
    ),
    form(
      0.55,
      [
        [0, 0.55],
        [0.85, 0],
      ],
      [
        [0.85, 0],
        [0.8, 1],
      ],
    ),
    form(
      0.6,
      [
        [0.25, 0.22],
        [0.6, 0],
      ],
      [
        [0.6, 0],
        [0.6, 1],
      ],
      [
        [0.15, 1],
        [1, 1],
      ],
    ),
    form(0.45, [
      [0.15, 0.7],
      [0.55, 0.25],
      [0.85, 0.02],
      [0.7, 0.05],
      [0.45, 0.5],
      [0.3, 1],
    ]),
    form(
      0.6,
      [
        [0, 0.45],
        [0.5, 0.12],
        [0.85, 0],
      ],
      [
        [0.85, 0],
        [0.7, 0.5],
        [0.55, 1],
      ],
    ),
  ],
  // 2: round top and a flat base; a loop at the bottom; a Z-like angle
  [
    form(
      0.75,
      [
        [0.05, 0.25],
        [0.35, 0.02],
        [0.75, 0.05],
        [0.9, 0.3],
        [0.6, 0.6],
        [0, 1],
      ],
      [
        [0, 1],
        [1, 0.97],
      ],
    ),
    form(0.75, [
      [0.05, 0.25],
      [0.4, 0],
      [0.85, 0.15],
      [0.8, 0.45],
      [0.35, 0.8],
      [0.1, 0.95],
      [0.2, 0.78],
      [0.45, 0.92],
      [1, 0.98],
    ]),
    form(
      0.8,
      [
        [0, 0.08],
        [0.55, 0],
        [0.95, 0.12],
      ],
      [
        [0.95, 0.12],
        [0.05, 1],
      ],
      [
        [0.05, 1],
        [1, 1],
      ],
    ),
  ],
  // 3: two bows; a flat top and a bow
  [
    form(
      0.7,
      [
        [0.05, 0.15],
        [0.45, 0],
        [0.85, 0.15],
        [0.8, 0.38],
        [0.4, 0.5],
      ],
      [
        [0.4, 0.5],
        [0.9, 0.65],
        [0.85, 0.9],
        [0.45, 1],
        [0, 0.85],
      ],
    ),
    form(
      0.7,
      [
        [0, 0],
        [0.9, 0],
      ],
      [
        [0.9, 0],
        [0.35, 0.42],
      ],
      [
        [0.35, 0.42],
        [0.85, 0.55],
        [0.95, 0.8],
        [0.5, 1],
        [0.05, 0.88],
      ],
    ),
  ],
  // 4: closed; open; a curved arm into the bar; a curved arm up into the stem; a curved arm and a foot
  [
    form(
      0.8,
      [
        [0.65, 0],
        [0, 0.68],
      ],
      [
        [0, 0.68],
        [1, 0.68],
      ],
      [
        [0.72, 0.05],
        [0.72, 1],
      ],
    ),
    form(
      0.8,
      [
        [0.1, 0],
        [0.03, 0.62],
      ],
      [
        [0.03, 0.62],
        [1, 0.62],
      ],
      [
        [0.72, 0],
        [0.72, 1],
      ],
    ),
    form(
      0.8,
      [
        [0.1, 0],
        [0.05, 0.35],
        [0.3, 0.6],
        [0.95, 0.58],
      ],
      [
        [0.72, 0.02],
        [0.72, 1],
      ],
    ),
    form(
      0.7,
      [
        [0.05, 0],
        [0.05, 0.4],
        [0.4, 0.6],
        [0.8, 0.4],
        [0.85, 0],
      ],
      [
        [0.85, 0],
        [0.8, 1],
      ],
    ),
    form(
      0.8,
      [
        [0.15, 0],
        [0.05, 0.45],
        [0.35, 0.62],
        [1, 0.6],
      ],
      [
        [0.7, 0.05],
        [0.7, 1],
      ],
      [
        [0.5, 1],
        [0.95, 1],
      ],
    ),
  ],
  // 5: a separate top bar; one stroke
  [
    form(
      0.75,
      [
        [0.25, 0.02],
        [0.95, 0],
      ],
      [
        [0.25, 0.02],
        [0.18, 0.45],
      ],
      FIVE_BOWL,
    ),
    form(
      0.75,
      [
        [0.95, 0],
        [0.25, 0.02],
        [0.18, 0.45],
      ],
      FIVE_BOWL,
    ),
  ],
  // 6: a curved stem into the loop; a straight stem; a loop that crosses the stem
  [
    form(0.7, [
      [0.85, 0.05],
      [0.45, 0.05],
      [0.12, 0.45],
      [0.1, 0.8],
      [0.45, 1],
      [0.85, 0.82],
      [0.8, 0.55],
      [0.45, 0.48],
      [0.12, 0.7],
    ]),
    form(
      0.65,
      [
        [0.75, 0],
        [0.15, 0.62],
      ],
      arc(0.5, 0.72, 0.38, 0.28, 180, 540),
    ),
    form(0.7, [
      [0.85, 0.05],
      [0.4, 0.1],
      [0.15, 0.5],
      [0.2, 0.85],
      [0.5, 1],
      [0.85, 0.8],
      [0.75, 0.55],
      [0.4, 0.55],
      [0.1, 0.75],
      [-0.05, 0.85],
    ]),
  ],
  // 7: plain; crossed; a hook at the start and a curved stem
  [
    form(
      0.75,
      [
        [0, 0],
        [1, 0],
      ],
      [
        [1, 0],
        [0.35, 1],
      ],
    ),
    form(
      0.75,
      [
        [0, 0],
        [1, 0],
      ],
      [
        [1, 0],
        [0.35, 1],
      ],
      [
        [0.4, 0.52],
        [0.95, 0.48],
      ],
    ),
    form(
      0.75,
      [
        [0, 0.18],
        [0.03, 0],
        [1, 0.02],
      ],
      [
        [1, 0.02],
        [0.6, 0.5],
        [0.45, 1],
      ],
    ),
  ],
  // 8: one stroke crossing itself; two stacked loops
  [
    form(0.6, [
      [0.85, 0.12],
      [0.5, 0],
      [0.12, 0.15],
      [0.25, 0.38],
      [0.75, 0.6],
      [0.88, 0.85],
      [0.5, 1],
      [0.12, 0.85],
      [0.25, 0.6],
      [0.75, 0.38],
      [0.88, 0.15],
      [0.5, 0],
    ]),
    form(0.65, arc(0.5, 0.25, 0.36, 0.25, -90, 275), arc(0.5, 0.72, 0.48, 0.28, -90, 275)),
  ],
  // 9: a straight stem; a stem curving to the left; a slanted stem
  [
    form(0.65, NINE_HEAD, [
      [0.9, 0.25],
      [0.88, 1],
    ]),
    form(0.65, NINE_HEAD, [
      [0.9, 0.25],
      [0.85, 0.75],
      [0.6, 1],
      [0.25, 0.92],
    ]),
    form(0.65, NINE_HEAD, [
      [0.9, 0.3],
      [0.5, 1],
    ]),
  ],
];

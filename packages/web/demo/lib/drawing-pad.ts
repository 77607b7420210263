// A canvas to draw a digit on with a mouse, a pen or a finger (pointer events), light ink on a
// black page as MNIST's digits are — core's preprocessing would take dark on light as well.

/** What the pad reports while and after drawing. */
export interface DrawingPadEvents {
  /** A stroke grew (called for every pointer move: throttle on the other side). */
  onDraw(): void;
  /** A stroke ended: the drawing is as the user meant it for now. */
  onStrokeEnd(): void;
}

/**
 * The pen widths the pad offers, as a fraction of the pad's width. `medium` is about as thick,
 * relative to a digit filling half the pad or more, as MNIST's strokes (a 20-pixel digit drawn
 * ~2.5 wide); `thin` is a fine pen or stylus, `thick` a finger or a marker.
 */
export const PEN_WIDTHS = Object.freeze({ thin: 0.035, medium: 0.075, thick: 0.12 });
export type PenWidth = keyof typeof PEN_WIDTHS;

/** The canvas' own drawing state and the pointer handlers. */
export interface DrawingPad {
  /** True once anything was drawn or shown since the last clear. */
  readonly hasInk: boolean;
  /** The width of the strokes drawn from now on (what is on the pad stays). @defaultValue `'medium'` */
  pen: PenWidth;
  clear(): void;
  /**
   * Shows an image (an upload) fitted and centred on the pad; later strokes draw over it.
   * Returns where its top-left corner landed and its scale, in the pad's pixels.
   */
  show(image: CanvasImageSource & { width: number; height: number }): { x: number; y: number; scale: number };
  /** Outlines a rectangle (in the pad's pixels) over what is shown: the box where the digit was found. */
  outline(x: number, y: number, width: number, height: number): void;
}

/** The box found in a picture: the page's accent colour, visible on paper and on the dark pad. */
const OUTLINE_COLOR = '#2f80ed';

export function createDrawingPad(canvas: HTMLCanvasElement, events: DrawingPadEvents): DrawingPad {
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  let hasInk = false;
  let pen: PenWidth = 'medium';
  let last: { x: number; y: number } | undefined;
  let activePointer: number | undefined;

  const paintBackground = () => {
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  };
  paintBackground();

  /** The pointer's position in canvas pixels (the element may be scaled by CSS). */
  const toCanvas = (event: PointerEvent) => {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  };

  const segment = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    context.strokeStyle = '#fff';
    context.fillStyle = '#fff';
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = canvas.width * PEN_WIDTHS[pen];
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
    hasInk = true;
  };

  canvas.addEventListener('pointerdown', (event) => {
    if (activePointer !== undefined || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    activePointer = event.pointerId;
    // Keep receiving moves when the finger or mouse leaves the canvas mid-stroke.
    canvas.setPointerCapture(event.pointerId);
    last = toCanvas(event);
    segment(last, last); // a dot, for a tap
    events.onDraw();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== activePointer || last === undefined) return;
    // Coalesced events: the full resolution of a fast stroke, not one point per frame.
    for (const e of event.getCoalescedEvents?.() ?? [event]) {
      const point = toCanvas(e);
      segment(last, point);
      last = point;
    }
    events.onDraw();
  });
  const end = (event: PointerEvent) => {
    if (event.pointerId !== activePointer) return;
    activePointer = undefined;
    last = undefined;
    events.onStrokeEnd();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  return {
    get hasInk() {
      return hasInk;
    },
    get pen() {
      return pen;
    },
    set pen(width: PenWidth) {
      if (!(width in PEN_WIDTHS))
        throw new RangeError(
          `'pen' must be one of ${Object.keys(PEN_WIDTHS).join(', ')}; received ${JSON.stringify(width)}`,
        );
      pen = width;
    },
    clear() {
      paintBackground();
      hasInk = false;
    },
    show(image) {
      paintBackground();
      const scale = Math.min(canvas.width / image.width, canvas.height / image.height);
      const w = image.width * scale;
      const h = image.height * scale;
      const [x, y] = [(canvas.width - w) / 2, (canvas.height - h) / 2];
      context.drawImage(image, x, y, w, h);
      hasInk = true;
      return { x, y, scale };
    },
    outline(x, y, width, height) {
      context.save();
      context.strokeStyle = OUTLINE_COLOR;
      context.lineWidth = 2;
      context.setLineDash([6, 4]);
      context.strokeRect(x, y, width, height);
      context.restore();
    },
  };
}

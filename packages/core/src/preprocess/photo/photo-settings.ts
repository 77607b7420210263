/**
 * The parameters of the photo path (see `find-digit.ts`), each chosen by measurement on the
 * photo-like suite (`npm run bench:photos`; figures and the alternatives tried in
 * docs/benchmarks.md, "Photos of digits"). Lengths are in pixels of the working plane unless
 * they say otherwise; levels are 0–255 gray levels.
 */
export const PHOTO_SETTINGS = Object.freeze({
  /**
   * The clean check: an image takes the clean path when at least `flatBorderShare` of its
   * border ring lies within `flatBorderSpread` gray levels of the ring's median. Canvas
   * drawings, MNIST digits and clean scans have paper of one exact value; sensor noise (σ ≳ 0.7
   * levels: most pixels off by one or more), light that changes along the border, a shadow or
   * the table beyond the paper's edge over a tenth of the border send a photo the other way.
   */
  flatBorderSpread: 0,
  /** See `flatBorderSpread`: strokes touching the edge may cover the rest of the ring. */
  flatBorderShare: 0.9,
  /**
   * Images with a side below this always take the clean path. Small images are scans and
   * thumbnails of clean digits (16×16 envelope scans, 32×32 bitmaps) whose strokes fill them to
   * the border, where the flat-border check would take them for photos (the real-handwriting
   * variants: at 16, 327 of 400 envelope digits and 7 of 400 bitmaps took the photo path, and
   * v2 read 81 % of them instead of 98 %); a camera picture is larger than this.
   */
  minPhotoSide: 48,
  /**
   * The working plane is the image shrunk by an integer factor so that its short side is at
   * least this (block means: the first noise suppression, σ / factor). 128 keeps a digit that
   * fills a fifth of the picture's height ~25 px tall, more than the 20 px it is fitted into.
   */
  workingSide: 128,
  /** A 3×3 box mean over the working plane: noise σ ÷ 3 more before the threshold. */
  smooth: true,
  /**
   * Side of the local-background window (grayscale opening), as a fraction of the working
   * plane's short side: wider than any pen stroke (so strokes are not taken for background)
   * and narrow enough to follow shadows and light fall-off.
   */
  backgroundWindow: 0.25,
  /**
   * The background is computed this many times coarser than the working plane, from block means
   * (it is smooth at that scale): a sixteenth of the work at 4, the same accuracy on the suite.
   */
  backgroundShrink: 4,
  /** Smallest background window, px. */
  minBackgroundWindow: 3,
  /** Photos are dark ink on light paper unless the light side is this many times stronger. */
  darkInkPreference: 1.5,
  /** Percentiles of the working plane taken as its darkest and lightest level (robust to specks). */
  extremePercentile: 0.005,
  /**
   * The ink threshold: foreground above `median + noiseThreshold × σ` of the background residual
   * (σ estimated from its median absolute deviation)...
   */
  noiseThreshold: 6,
  /** ...and above this fraction of the ink's peak level (the 99.9th percentile of the foreground). */
  peakThreshold: 0.35,
  /**
   * The noise bound is at most this fraction of the peak: where ink covers most of the picture
   * (a bold digit framed tightly), the median and its deviation measure the ink, not the noise.
   */
  maxNoiseThreshold: 0.5,
  /** Percentile of the foreground that marks the ink's peak. */
  peakPercentile: 0.999,
  /** Components of fewer pixels than this fraction of the main component's are specks. */
  minComponentShare: 0.08,
  /**
   * A component joins the digit when the gap between it and the digit's box so far is at most
   * this fraction of the main component's long side (a broken stroke, the bar of a 5 or a 7).
   */
  maxComponentGap: 0.6,
  /**
   * A component with more pixels on one side of the plane than this many times its depth from
   * that side lies against the border (the table beyond the paper, a shadow's corner): not the
   * digit. A shadow's corner measures ~1.3, the table 5 and more; a large 0 framed tightly,
   * flattened by the frame, 0.35.
   */
  maxBorderContact: 0.75,
  /** The ink of a component that touches the border counts this many times in choosing the main one. */
  borderWeight: 0.25,
  /** A component that touches the border is the digit only if it covers this share of the plane. */
  minBorderDigitShare: 0.03,
  /** The kept components grow by this many pixels so that the strokes' soft edges are kept. */
  maskGrowth: 1,
  /** Foreground up to this many σ is noise and maps to 0; the soft edge starts above it. */
  noiseFloor: 3,
  /** Percentile of the kept ink's foreground that maps to full ink (255). */
  fullInkPercentile: 0.9,
});

/** The type of {@link PHOTO_SETTINGS}. */
export type PhotoSettings = typeof PHOTO_SETTINGS;

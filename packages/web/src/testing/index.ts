export {
  MODEL_REPOSITORY,
  SHIPPED_MODEL_FILE,
  SHIPPED_MODEL_PATH,
  buildOnce,
  harnessUnavailableReason,
  mnistHarnessUnavailableReason,
  openHarness,
  type BrowserHarness,
  type CaughtError,
  type HarnessGlobals,
  type HarnessOptions,
} from './browser-harness.js';
export {
  CHROMIUM_PATH,
  chromiumUnavailableReason,
  launchChromium,
  type ChromiumSession,
  type LaunchChromiumOptions,
} from './chromium.js';
export {
  MIME_TYPES,
  startStaticServer,
  type RouteHandler,
  type StaticServer,
  type StaticServerOptions,
} from './static-server.js';
export { createNodeReference, type NodeReference } from './node-reference.js';
export {
  exifOrientationSegment,
  PHOTO_PAGE_SCRIPT,
  photoRoute,
  renderPhotos,
  type PhotoPageGlobals,
  type ServedPhoto,
} from './photo-route.js';
export { mnistTestDataDir, readMnistTestDigits } from '@onnxpipe/data/testing';
export {
  inkMask,
  maskOverlap,
  recoverStrokes,
  renderStrokes,
  strokeBounds,
  type InkImage,
  type Mask,
  type MaskOverlap,
  type Point,
  type Polyline,
  type RecoveredStrokes,
} from './stroke-paths.js';
export {
  CANVAS_CONDITIONS,
  placeOnPad,
  type CanvasCondition,
  type PadPen,
  type PadStroke,
} from './canvas-conditions.js';
export { choosePen, drawOnPad, openDemoPad, switchDemoMode, type OpenDemoOptions, type PadAnswer } from './demo-pad.js';

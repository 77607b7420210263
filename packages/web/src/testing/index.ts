export { CHROMIUM_PATH, chromiumUnavailableReason, launchChromium, type ChromiumSession, type LaunchChromiumOptions } from './chromium.js';

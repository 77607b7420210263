import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

// Real headless Chromium for tests and benchmarks: Debian's /usr/bin/chromium driven by
// playwright-core (never `playwright install`, which downloads a browser). The flags keep the
// browser off the network this machine does not have; --enable-unsafe-webgpu gives WebGPU on
// SwiftShader (a CPU implementation: slow, but the same code path as a GPU).

/** Where Debian's `chromium` package puts the browser; `$CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const OFFLINE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** `undefined` when Chromium can run here, else why not (tests skip with this reason). */
export function chromiumUnavailableReason(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export interface LaunchChromiumOptions {
  /** Expose WebGPU (SwiftShader) through `--enable-unsafe-webgpu`. @defaultValue `false` */
  readonly webgpu?: boolean;
}

/** A browser context in a fresh profile; `close()` also deletes the profile. */
export interface ChromiumSession {
  readonly context: BrowserContext;
  /** The profile folder (`--user-data-dir`), which tells this browser's processes from others. */
  readonly profile: string;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium in a new, empty profile.
 *
 * @example
 * ```ts
 * const browser = await launchChromium({ webgpu: true });
 * const page = await browser.context.newPage();
 * await page.goto(url);
 * await browser.close();
 * ```
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<ChromiumSession> {
  const profile = mkdtempSync(join(tmpdir(), 'onnxpipe-chromium-'));
  const args = [...OFFLINE_FLAGS];
  // SwiftShader's WebGPU adapter is only offered with unsafe WebGPU; --disable-gpu would hide it.
  if (options.webgpu)
    args.splice(
      args.indexOf('--disable-gpu'),
      1,
      '--enable-unsafe-webgpu',
      '--use-webgpu-adapter=swiftshader',
      '--enable-features=Vulkan',
    );
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args,
    });
    return {
      context,
      profile,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

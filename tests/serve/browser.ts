// Headless chromium for the explorer's browser tests and benchmark: Debian's chromium driven by playwright-core.
import { existsSync } from "node:fs";

/** The browser binary (Debian's chromium unless PSEUDONET_CHROMIUM says otherwise). */
export const CHROMIUM = process.env.PSEUDONET_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser can't run here, or undefined when it can. */
export function noBrowser(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or set PSEUDONET_CHROMIUM`;
}

/** Headless chromium with the flags this machine's closed network needs. */
export async function launch() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). Without it browser tests say skipped. */
export const executablePath = '/usr/bin/chromium';
export const haveChromium = existsSync(executablePath);

// As the machine notes say: no sandbox as root, and no background traffic this closed network refuses.
export const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Chromium, driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath, args: flags });
}

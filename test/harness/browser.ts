// Headless Debian Chromium, driven by playwright-core (which brings no browser of its own).
import { type Browser, chromium } from 'playwright-core';
import { chromiumArgs, ensureChromium } from './toolchain';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), args: chromiumArgs, headless: true });
}

import { existsSync } from 'node:fs';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { chromium, type Browser } from 'playwright-core';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';

/** Debian's Chromium; Playwright's own browser download does not work on this project's machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Headless, no sandbox (containers), nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * Renders self-contained HTML (inline CSS and SVG, no external requests) to PDF with Chromium's print
 * engine. One browser per server, started on first use and closed at shutdown; a page per document.
 */
@Injectable()
export class PdfRenderer implements OnApplicationShutdown {
  private browser?: Promise<Browser>;

  async render(html: string): Promise<Buffer> {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new DomainException(
        DomainErrorCode.InvalidState,
        `PDF rendering needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
      );
    }
    this.browser ??= chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const context = await (await this.browser).newContext({ javaScriptEnabled: false, offline: true });
    try {
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        margin: { top: '15mm', bottom: '15mm', left: '12mm', right: '12mm' },
      });
    } finally {
      await context.close();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await (await browser).close().catch(() => undefined);
  }
}

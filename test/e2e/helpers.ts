/** Shared helpers for the browser tests. */
import type { Page } from '@playwright/test';
import path from 'node:path';
import type {} from '../../renderer/src/canvas/globals';

export const SCREENS = path.resolve(import.meta.dirname, '../../test-results/e2e/screens');

export function baseUrl(): string {
  const url = process.env['PODPATH_E2E_URL'];
  if (!url)
    throw new Error(
      'PODPATH_E2E_URL is not set: run through playwright.config.ts (globalSetup starts the web host)',
    );
  return url;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`) });
}

/** Collects page errors and console errors so a spec can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Element state from the canvas (window.__podpath.cy). */
export async function canvasIds(page: Page, selector = 'node'): Promise<string[]> {
  return page.evaluate((sel) => window.__podpath?.cy.elements(sel).map((e) => e.id()) ?? [], selector);
}

/** Rendered position of a canvas element relative to the page. */
export async function pagePosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId('canvas').boundingBox();
  const p = await page.evaluate((ref) => window.__podpath?.cy.getElementById(ref).renderedPosition(), id);
  if (!box || !p) throw new Error(`${id} is not on the canvas`);
  return { x: box.x + p.x, y: box.y + p.y };
}

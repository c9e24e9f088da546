/**
 * The status page rendered by a real browser: Debian's Chromium, headless, driven by
 * playwright-core. Asserts what a person would read (rows, numbers, states) and that hostile
 * names stay text. CI installs the browser (.ci/run); this test installs nothing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatusPage, type DeploymentStatus } from '../../../worker/status/status-page.ts';

const CHROMIUM = '/usr/bin/chromium';
const AT = Date.UTC(2026, 10, 23, 12, 0, 0);
const HOSTILE = `<img src=x onerror="window.__pwned=1">"</td><script>window.__pwned=2</script>&amp;`;

const healthy: DeploymentStatus = {
  deployment: 'happy-otter-123',
  container: { state: 'ready', since: AT - 5 * 60_000, starts: 2, lastExit: { code: 137, error: null, at: AT - 6 * 60_000 }, lastError: null },
  tunnel: { connected: true, links: 1, rttMs: 3.25, upSince: AT - 120_000, dials: 4, lastError: null },
  database: {
    sizeBytes: 123_456_789,
    tables: [
      { schema: 'public', name: 'documents', rows: 1_234_567 },
      { schema: 'public', name: 'indexes', rows: 0 },
      { schema: 'public', name: HOSTILE, rows: 42 },
    ],
  },
  lastSnapshot: null,
  at: AT,
};

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});
afterAll(async () => {
  await browser?.close();
});

async function open(status: DeploymentStatus): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(renderStatusPage(status), { waitUntil: 'load' });
  return { page, requests };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

describe('the status page in Chromium', () => {
  it('shows each table with its schema and row count, in order', async () => {
    const { page } = await open(healthy);
    // Typed structurally: the project compiles without the DOM library.
    type Cells = { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
    const rows = await page.locator('[data-testid="tables"] tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from((tr as unknown as Cells).querySelectorAll('td'), (td) => td.textContent)));
    expect(rows).toEqual([
      ['public', 'documents', '1,234,567'],
      ['public', 'indexes', '0'],
      ['public', HOSTILE, '42'],
    ]);
    expect(await text(page, 'database-table-count')).toBe('3');
    expect(await text(page, 'database-row-count')).toBe('1,234,609');
    await page.close();
  });

  it('shows the database size, container state, tunnel health and round trip', async () => {
    const { page } = await open(healthy);
    expect(await page.title()).toBe('happy-otter-123 · status');
    expect(await text(page, 'database-size')).toBe('117.7 MiB (123,456,789 bytes)');
    expect(await text(page, 'container-state')).toBe('ready');
    expect(await text(page, 'container-since')).toBe('2026-11-23T11:55:00Z 5 min ago');
    expect(await text(page, 'container-starts')).toBe('2');
    expect(await text(page, 'container-last-exit')).toBe('code 137 at 2026-11-23T11:54:00Z');
    expect(await text(page, 'tunnel-state')).toBe('connected');
    expect(await text(page, 'tunnel-rtt')).toBe('3.25 ms');
    expect(await text(page, 'tunnel-up-since')).toBe('2026-11-23T11:58:00Z 2 min ago');
    expect(await text(page, 'snapshot')).toBe('none');
    expect(await text(page, 'taken-at')).toBe('Taken at 2026-11-23T12:00:00Z');
    await page.close();
  });

  it('keeps hostile names as text: no element, no script, no request', async () => {
    const { page, requests } = await open({ ...healthy, deployment: HOSTILE, container: { ...healthy.container, state: 'failed', lastError: HOSTILE } });
    expect(await page.title()).toBe(`${HOSTILE} · status`);
    expect(await text(page, 'deployment')).toBe(HOSTILE);
    expect(await text(page, 'container-last-error')).toBe(HOSTILE);
    expect(await page.locator('img, script, iframe, object').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(requests.filter((url) => url !== 'about:blank')).toEqual([]);
    await page.close();
  });

  it('a failed container, an undialled tunnel, no tables, and a last snapshot', async () => {
    const { page } = await open({
      deployment: 'd',
      container: { state: 'failed', since: AT - 3 * 3600_000, starts: 5, lastExit: { code: null, error: 'OOM killed', at: AT - 3 * 3600_000 }, lastError: 'not ready after 90 s' },
      tunnel: null,
      database: { sizeBytes: 512, tables: [] },
      lastSnapshot: { id: 'snap-2026-11-23', at: AT - 2 * 86_400_000, bytes: 5 * 1024 ** 3 },
      at: AT,
    });
    expect(await text(page, 'container-state')).toBe('failed');
    expect(await text(page, 'container-last-exit')).toBe('no code: OOM killed at 2026-11-23T09:00:00Z');
    expect(await text(page, 'container-last-error')).toBe('not ready after 90 s');
    expect(await text(page, 'tunnel-state')).toBe('not dialled');
    expect(await text(page, 'database-size')).toBe('512 bytes (512 bytes)');
    expect(await page.locator('[data-testid="tables"] tbody tr').innerText()).toBe('No tables yet');
    expect(await text(page, 'snapshot-id')).toBe('snap-2026-11-23');
    expect(await text(page, 'snapshot-at')).toBe('2026-11-21T12:00:00Z 2 d ago');
    expect(await text(page, 'snapshot-size')).toBe('5.00 GiB');
    await page.close();
  });
});

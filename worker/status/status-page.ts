/**
 * @module The deployment's status page: one small self-contained HTML document (inline CSS, no
 * scripts, no external assets) rendered from the status JSON. Every value is escaped, and a
 * Content-Security-Policy that allows no scripts backs that up: table names come from users.
 */
import type { DeploymentStatus } from '../deployment-status.ts';

export type { DeploymentStatus } from '../deployment-status.ts';

/** The policy the page is written for; serve it as a header too. */
export const STATUS_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${integer.format(bytes)} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function formatTime(epochMs: number | null): string {
  return epochMs === null ? '—' : new Date(epochMs).toISOString().replace('.000Z', 'Z');
}

/** "3 min ago" relative to when the status was taken, so the page needs no clock of its own. */
function formatAge(epochMs: number | null, at: number): string {
  if (epochMs === null) return '';
  const seconds = Math.max(0, Math.round((at - epochMs) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

type Tone = 'good' | 'warn' | 'bad' | 'idle';

function badge(text: string, tone: Tone, testId: string): string {
  return `<span class="badge ${tone}" data-testid="${escapeHtml(testId)}">${escapeHtml(text)}</span>`;
}

function row(label: string, value: string, testId?: string): string {
  const id = testId === undefined ? '' : ` data-testid="${escapeHtml(testId)}"`;
  return `<tr><th scope="row">${escapeHtml(label)}</th><td${id}>${value}</td></tr>`;
}

const CONTAINER_TONE: Record<string, Tone> = { ready: 'good', starting: 'warn', stopped: 'idle', none: 'idle', failed: 'bad' };

function containerSection(status: DeploymentStatus): string {
  const c = status.container;
  const exit = c.lastExit === null ? '—' : `${c.lastExit.code === null ? 'no code' : `code ${c.lastExit.code}`}${c.lastExit.error ? `: ${c.lastExit.error}` : ''} at ${formatTime(c.lastExit.at)}`;
  return `<section><h2>Container ${badge(c.state, CONTAINER_TONE[c.state] ?? 'warn', 'container-state')}</h2><table class="kv">${[
    row('Since', escapeHtml(`${formatTime(c.since)} ${formatAge(c.since, status.at)}`.trim()), 'container-since'),
    row('Starts', escapeHtml(integer.format(c.starts)), 'container-starts'),
    row('Last exit', escapeHtml(exit), 'container-last-exit'),
    row('Last error', escapeHtml(c.lastError ?? '—'), 'container-last-error'),
  ].join('')}</table></section>`;
}

function tunnelSection(status: DeploymentStatus): string {
  const t = status.tunnel;
  if (t === null) return `<section><h2>Tunnel ${badge('not dialled', 'idle', 'tunnel-state')}</h2></section>`;
  return `<section><h2>Tunnel ${badge(t.connected ? 'connected' : 'disconnected', t.connected ? 'good' : 'bad', 'tunnel-state')}</h2><table class="kv">${[
    row('Round trip', escapeHtml(t.rttMs === null ? '—' : `${t.rttMs < 10 ? t.rttMs.toFixed(2) : t.rttMs.toFixed(1)} ms`), 'tunnel-rtt'),
    row('Links', escapeHtml(integer.format(t.links)), 'tunnel-links'),
    row('Up since', escapeHtml(`${formatTime(t.upSince)} ${formatAge(t.upSince, status.at)}`.trim()), 'tunnel-up-since'),
    row('Dials', escapeHtml(integer.format(t.dials)), 'tunnel-dials'),
    row('Last error', escapeHtml(t.lastError ?? '—'), 'tunnel-last-error'),
  ].join('')}</table></section>`;
}

function databaseSection(status: DeploymentStatus): string {
  const { sizeBytes, tables } = status.database;
  const totalRows = tables.reduce((n, t) => n + t.rows, 0);
  const body = tables.length === 0
    ? '<tr><td colspan="3" class="empty">No tables yet</td></tr>'
    : tables
        .map((t) => `<tr><td>${escapeHtml(t.schema)}</td><td>${escapeHtml(t.name)}</td><td class="num" data-rows="${escapeHtml(t.rows)}">${escapeHtml(integer.format(t.rows))}</td></tr>`)
        .join('');
  return `<section><h2>Database</h2><table class="kv">${[
    row('Size', `${escapeHtml(formatBytes(sizeBytes))} <span class="muted">(${escapeHtml(integer.format(sizeBytes))} bytes)</span>`, 'database-size'),
    row('Tables', escapeHtml(integer.format(tables.length)), 'database-table-count'),
    row('Rows', escapeHtml(integer.format(totalRows)), 'database-row-count'),
  ].join('')}</table><table class="tables" data-testid="tables"><thead><tr><th scope="col">Schema</th><th scope="col">Table</th><th scope="col" class="num">Rows</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

function snapshotSection(status: DeploymentStatus): string {
  const s = status.lastSnapshot;
  if (s === null) return `<section><h2>Last snapshot</h2><p data-testid="snapshot">none</p></section>`;
  return `<section><h2>Last snapshot</h2><table class="kv" data-testid="snapshot">${[
    row('Id', escapeHtml(s.id), 'snapshot-id'),
    row('Taken', escapeHtml(`${formatTime(s.at)} ${formatAge(s.at, status.at)}`), 'snapshot-at'),
    row('Size', escapeHtml(formatBytes(s.bytes)), 'snapshot-size'),
  ].join('')}</table></section>`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#6a737d;--line:#d0d7de;--bg:#fff;--good:#1a7f37;--warn:#9a6700;--bad:#cf222e;--idle:#6a737d}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8b949e;--line:#30363d;--bg:#0d1117}}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:60rem;padding:1.5rem}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem;display:flex;gap:.5rem;align-items:center}
.muted,footer{color:var(--muted)}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
table.kv th{width:9rem;font-weight:500;color:var(--muted)}.num{text-align:right;font-variant-numeric:tabular-nums}.empty{color:var(--muted);font-style:italic}
.badge{font-size:.75rem;font-weight:600;border-radius:1rem;padding:.1rem .55rem;color:#fff}.good{background:var(--good)}.warn{background:var(--warn)}.bad{background:var(--bad)}.idle{background:var(--idle)}
table.tables{margin-top:.75rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:0 1.5rem}`;

/** The status page for one deployment, as a complete HTML document. */
export function renderStatusPage(status: DeploymentStatus): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(STATUS_PAGE_CSP)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(status.deployment)} · status</title>
<style>${STYLE}</style></head>
<body><header><h1 data-testid="deployment">${escapeHtml(status.deployment)}</h1><div class="muted">Convex deployment status</div></header>
<div class="grid">${containerSection(status)}${tunnelSection(status)}</div>
${databaseSection(status)}
${snapshotSection(status)}
<footer><p data-testid="taken-at">Taken at ${escapeHtml(formatTime(status.at))}</p></footer>
</body></html>
`;
}

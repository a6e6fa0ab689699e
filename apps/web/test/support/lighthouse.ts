import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { CHROMIUM, OUTPUT_DIR, QUIET_CHROMIUM_FLAGS } from './browser.js';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What one Lighthouse run found: the score of each category (0–100), key metrics, and the audits that failed. */
export interface LighthouseResult {
  scores: Record<Category, number>;
  metrics: Record<string, string>;
  failed: string[];
}

/** A Chromium for Lighthouse: its own process with a DevTools port and a fresh profile, deleted on close. */
export interface DebuggableChromium {
  port: number;
  close(): Promise<void>;
}

const FLAGS = ['--headless=new', ...QUIET_CHROMIUM_FLAGS, '--remote-debugging-port=0'];

export async function launchDebuggableChromium(): Promise<DebuggableChromium> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-lighthouse-'));
  const child: ChildProcess = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Chromium writes the port it chose into the profile once DevTools listens.
  const portFile = path.join(profile, 'DevToolsActivePort');
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(portFile) || fs.readFileSync(portFile, 'utf8').split('\n').length < 2) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('Chromium did not open its DevTools port');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8').split('\n')[0]);
  return {
    port,
    close: async () => {
      child.kill();
      await exited;
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Lighthouse could not record the run at all (NO_NAVSTART and the like: its own trace failed, not the page). */
export class LighthouseRuntimeError extends Error {}

const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'];

/**
 * One Lighthouse run (mobile, its default simulated throttling) of `url`, sending `headers` with every request. The
 * whole report goes to test-output/web/lighthouse-<name>.json, for people to look into.
 */
export async function runLighthouse(chromium: DebuggableChromium, name: string, url: string, headers: Record<string, string> = {}): Promise<LighthouseResult> {
  const result = await lighthouse(url, { port: chromium.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES], extraHeaders: headers });
  if (!result) throw new Error('Lighthouse returned nothing');
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUTPUT_DIR, `lighthouse-${name}.json`), JSON.stringify(result.lhr, null, 1));
  const { lhr } = result;
  if (lhr.runtimeError) throw new LighthouseRuntimeError(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)])) as Record<Category, number>;
  const metrics = Object.fromEntries(METRICS.map((m) => [m, lhr.audits[m]?.displayValue ?? '?']));
  const failed = CATEGORIES.flatMap((c) =>
    (lhr.categories[c]?.auditRefs ?? [])
      .filter((ref) => {
        const score = lhr.audits[ref.id]?.score;
        return typeof score === 'number' && score < 0.9;
      })
      .map((ref) => `${ref.id} (${lhr.audits[ref.id]?.displayValue ?? lhr.audits[ref.id]?.score})`),
  );
  return { scores, metrics, failed };
}

/** One line for the test's output: the scores, the metrics and what failed. */
export function describe(label: string, result: LighthouseResult): string {
  const scores = CATEGORIES.map((c) => `${c} ${result.scores[c]}`).join(', ');
  const metrics = Object.entries(result.metrics)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `[lighthouse] ${label}: ${scores} | ${metrics}${result.failed.length ? ` | failing: ${result.failed.join(', ')}` : ''}`;
}

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  window: string;
  totalMs: number;
  /** Self time by function. */
  functions: Array<{ name: string; where: string; selfMs: number; selfPct: number }>;
  /** Self time by where the code lives: a package, the server's own sources, Node internals, GC, idle. */
  areas: Array<{ area: string; selfMs: number; selfPct: number }>;
  /** Inclusive time of selected server functions (everything they call counts). */
  inclusive: Array<{ name: string; where: string; totalMs: number; totalPct: number }>;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const pk = url.indexOf('/packages/');
  if (pk >= 0) return url.slice(pk + 1);
  return url.replace(/^file:\/\//, '');
}

function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program (native, outside JS)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `npm: ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  const pk = /\/packages\/([^/]+)\/(?:dist|src)\/(?:features\/)?([^/]+)/.exec(url);
  if (pk) return `@hearth/${pk[1]}: ${pk[2]!.replace(/\.js$/, '')}`;
  return url;
}

/** Self and inclusive time per function of a V8 .cpuprofile (as written by `node --cpu-prof`). */
export function summarizeProfile(file: string, top = 25, windowUs?: { from: number; to: number }): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfUs = new Map<number, number>();
  // Sample times are V8 TimeTicks (CLOCK_MONOTONIC, µs), the clock of process.hrtime() in any process.
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (windowUs && (t < windowUs.from || t >= windowUs.to)) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fnSelf = new Map<string, { name: string; where: string; us: number }>();
  const areaSelf = new Map<string, number>();
  const fnTotal = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const cf = node.callFrame;
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName}@${where}`;
    const entry = fnSelf.get(key) ?? { name: cf.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    fnSelf.set(key, entry);
    const area = areaOf(cf);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + us);
    // Inclusive: charge every distinct server function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!f.url.includes('/packages/server/')) continue;
      const w = `${shortUrl(f.url)}:${f.lineNumber + 1}`;
      const k = `${f.functionName}@${w}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const t = fnTotal.get(k) ?? { name: f.functionName || '(anonymous)', where: w, us: 0 };
      t.us += us;
      fnTotal.set(k, t);
    }
  }
  const ms = (us: number) => Math.round(us / 100) / 10;
  const pct = (us: number) => Math.round((us / totalUs) * 1000) / 10;
  return {
    file,
    window: windowUs ? `samples within the measured window only (${((windowUs.to - windowUs.from) / 1e6).toFixed(1)} s)` : 'whole process lifetime',
    totalMs: ms(totalUs),
    functions: [...fnSelf.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: ms(f.us), selfPct: pct(f.us) })),
    areas: [...areaSelf.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, selfMs: ms(us), selfPct: pct(us) })),
    inclusive: [...fnTotal.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, totalMs: ms(f.us), totalPct: pct(f.us) })),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`profile ${s.file}: ${s.totalMs} ms sampled, ${s.window}`, '  self time by area:'];
  for (const a of s.areas) lines.push(`    ${String(a.selfPct).padStart(5)}%  ${String(a.selfMs).padStart(9)} ms  ${a.area}`);
  lines.push('  self time by function:');
  for (const f of s.functions) lines.push(`    ${String(f.selfPct).padStart(5)}%  ${String(f.selfMs).padStart(9)} ms  ${f.name}  ${f.where}`);
  lines.push('  inclusive time of server functions:');
  for (const f of s.inclusive) lines.push(`    ${String(f.totalPct).padStart(5)}%  ${String(f.totalMs).padStart(9)} ms  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

// `node packages/bench/dist/profile-summary.js FILE.cpuprofile [TOP [FROM_US TO_US]]` (times: CLOCK_MONOTONIC µs)
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node packages/bench/dist/profile-summary.js FILE.cpuprofile [TOP [FROM_US TO_US]]\n');
    process.exit(2);
  }
  const [from, to] = [process.argv[4], process.argv[5]].map(Number);
  const windowUs = from !== undefined && to !== undefined && Number.isFinite(from) && Number.isFinite(to) ? { from, to } : undefined;
  process.stdout.write(`${formatSummary(summarizeProfile(file, Number(process.argv[3] ?? 25), windowUs))}\n`);
}

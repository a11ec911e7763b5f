/**
 * Where the server's CPU goes: reads the V8 .cpuprofile that `node --cpu-prof` writes on exit and
 * sums self time per function and per area (our code, ws, pino, express, Node internals, GC).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One row of the summary: self time and its share of the busy (non-idle) time. */
export interface ProfileRow {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  topFunctions: ProfileRow[];
  byArea: ProfileRow[];
}

/** Names a script URL after what it belongs to. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native / V8)';
  if (url.startsWith('node:'))
    return 'node internals (' + url.split('/').slice(0, 2).join('/') + ')';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm: ${nm[1]}`;
  const src = /dist\/(src\/[^/]+(?:\/[^/]+)?)/.exec(url);
  return src ? `switchboard: ${src[1]}` : url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\/.*?\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/dist\//, '')
    .replace(/^node:/, 'node:');
}

/** Summarises a .cpuprofile file: top `top` functions by self time, and time per area. */
export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const name = url
      ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`
      : functionName || '(anonymous)';
    fns.set(name, (fns.get(name) ?? 0) + us);
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const rows = (m: Map<string, number>, n: number): ProfileRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        percent: Math.round((1000 * us) / Math.max(1, busyUs)) / 10,
      }));
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    topFunctions: rows(fns, top),
    byArea: rows(areas, 15),
  };
}

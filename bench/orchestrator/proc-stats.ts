/**
 * What the kernel says about a process: CPU time from /proc/<pid>/stat (utime + stime) and
 * resident memory from /proc/<pid>/status (VmRSS). Read from outside, so the server under test
 * runs unchanged.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of utime/stime (USER_HZ; 100 on Linux, asked once). */
const CLOCK_TICKS_HZ = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time the process has used so far, ms: in user space, in the kernel, and both. */
export function cpuTimes(pid: number): { userMs: number; kernelMs: number; totalMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userMs = (Number(fields[11]) * 1000) / CLOCK_TICKS_HZ;
  const kernelMs = (Number(fields[12]) * 1000) / CLOCK_TICKS_HZ;
  return { userMs, kernelMs, totalMs: userMs + kernelMs };
}

/** CPU time the process has used so far (user + system), ms. */
export function cpuMs(pid: number): number {
  return cpuTimes(pid).totalMs;
}

/**
 * Read- and write-family system calls the process has made so far (/proc/<pid>/io syscr +
 * syscw): on a socket bridge nearly every one is a message, so their rate shows what batching
 * saves. NaN where /proc/<pid>/io is not readable.
 */
export function ioSyscalls(pid: number): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const r = /^syscr:\s+(\d+)/m.exec(io);
    const w = /^syscw:\s+(\d+)/m.exec(io);
    return r && w ? Number(r[1]) + Number(w[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time the whole machine has been busy (all cores, all processes), ms: shows neighbours. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal …
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
  return (busy * 1000) / CLOCK_TICKS_HZ;
}

/**
 * Time the process's main thread has spent runnable but waiting for a CPU so far, ms
 * (/proc/<pid>/schedstat, field 2): what the server lost to the harness and its neighbours on
 * shared cores. NaN where schedstat is not available.
 */
export function runQueueWaitMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
    return Number(fields[1]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * A number field of /proc/<pid>/status, with its unit if it has one (`VmRSS:   1234 kB` → 1234);
 * NaN when absent.
 */
function statusNumber(pid: number, field: string, unit = ''): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+)${unit}`, 'm').exec(status);
  return m ? Number(m[1]) : NaN;
}

/** Resident set size, KB. */
export function rssKb(pid: number): number {
  return statusNumber(pid, 'VmRSS', ' kB');
}

/** Times the main thread went to sleep (voluntary context switches): the event loop's waits. */
export function mainThreadSleeps(pid: number): number {
  return statusNumber(pid, 'voluntary_ctxt_switches');
}

/** Samples RSS every `intervalMs` until stopped. */
export class RssSampler {
  readonly samples: { atMs: number; rssKb: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs: number) {
    const t0 = performance.now();
    const sample = () => {
      try {
        this.samples.push({ atMs: performance.now() - t0, rssKb: rssKb(pid) });
      } catch {
        // The process exited; the samples so far stand.
      }
    };
    sample();
    this.timer = setInterval(sample, intervalMs);
  }

  stop(): { meanKb: number; maxKb: number; minKb: number } {
    clearInterval(this.timer);
    const v = this.samples.map((s) => s.rssKb);
    return {
      meanKb: Math.round(v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)),
      maxKb: Math.max(...v),
      minKb: Math.min(...v),
    };
  }
}

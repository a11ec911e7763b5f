/**
 * V8's memory saver mode, switched on at start-up. Under call churn every call's set-up leaves
 * garbage in the old generation, and V8's default lets it pile up to 8 MB above the live heap
 * before a mark-compact, which leaves the heap's committed size where it was: that was most of
 * the memory per active call in the soak. Memory saver grows the old generation conservatively
 * and compacts to give pages back, for about 2% of CPU (numbers in README "Performance"). It also
 * keeps the young generation at its start size (three times the scavenges, alone): `npm start`
 * pins it at 8 MB (`--min-semi-space-size=8`), and memory saver is only worth having with that.
 *
 * Set here rather than on the command line because Node 22's V8 has no such flag and refuses to
 * start with it; on 22 it is left off. A `--memory-saver-mode` or `--no-memory-saver-mode` on the
 * command line wins.
 */
import { setFlagsFromString } from 'node:v8';

export type MemorySaverState = 'on' | 'set on the command line' | 'unsupported by this Node';

/** The first Node major whose V8 knows `--memory-saver-mode`. */
const FIRST_NODE_WITH_MEMORY_SAVER = 24;

export function enableMemorySaver(
  nodeVersion: string = process.versions.node,
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): MemorySaverState {
  if (execArgv.some((arg) => /^--(no-)?memory[-_]saver[-_]mode(=|$)/.test(arg))) {
    return 'set on the command line';
  }
  if (Number(nodeVersion.split('.')[0]) < FIRST_NODE_WITH_MEMORY_SAVER) {
    return 'unsupported by this Node';
  }
  setFlags('--memory-saver-mode');
  return 'on';
}

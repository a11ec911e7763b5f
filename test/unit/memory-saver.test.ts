import { describe, expect, it } from 'vitest';
import { enableMemorySaver } from '../../src/memory-saver.js';

function attempt(nodeVersion: string, execArgv: string[] = []) {
  const set: string[] = [];
  const state = enableMemorySaver(nodeVersion, execArgv, (flags) => set.push(flags));
  return { state, set };
}

describe('V8 memory saver mode', () => {
  it('is switched on from Node 24', () => {
    expect(attempt('24.21.0')).toEqual({ state: 'on', set: ['--memory-saver-mode'] });
  });

  it('is left off on Node 22, whose V8 does not know the flag', () => {
    expect(attempt('22.23.3')).toEqual({ state: 'unsupported by this Node', set: [] });
  });

  it('is left to the command line when it names the flag either way', () => {
    for (const flag of [
      '--no-memory-saver-mode',
      '--memory_saver_mode',
      '--memory-saver-mode=false',
    ]) {
      expect(attempt('24.21.0', ['--max-semi-space-size=8', flag])).toEqual({
        state: 'set on the command line',
        set: [],
      });
    }
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startScriptArgs } from '../../src/demo/server-process.js';

describe('the start command', () => {
  it('is the same in the Dockerfile as in npm start, which the benchmark measures', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(['node', ...startScriptArgs()]);
  });

  it('caps the young generation, which the memory goal was measured with', () => {
    expect(startScriptArgs()).toContain('--max-semi-space-size=8');
  });
});

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FALLBACK_TEXT,
  SimulatorScriptError,
  buildSimulatorScript,
  loadSimulatorScript,
} from '../../src/replay/simulator/simulator-script.js';
import { SYNTHETIC_MS_PER_CHAR } from '../../src/replay/simulator/synthetic-audio.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('loadSimulatorScript', () => {
  it('resolves audio paths relative to the script file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-script-'));
    await mkdir(join(dir, 'scripts'));
    await writeFile(
      join(dir, 'scripts', 'call.json'),
      JSON.stringify({ greeting: { say: { audio: 'hello.wav', transcript: 'Hello' } }, turns: [] }),
    );
    const asked: string[] = [];
    const script = await loadSimulatorScript(join(dir, 'scripts', 'call.json'), async (path) => {
      asked.push(path);
      return Buffer.alloc(800, 0xff);
    });
    expect(asked).toEqual([join(dir, 'scripts', 'hello.wav')]);
    expect(script.greeting?.say).toEqual({ audio: Buffer.alloc(800, 0xff), transcript: 'Hello' });
  });

  it('names the file and the reason when the JSON is invalid', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-script-'));
    await writeFile(join(dir, 'bad.json'), '{ nope');
    await expect(loadSimulatorScript(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json/);
  });
});

describe('buildSimulatorScript', () => {
  it('speaks text without audio as 60 ms of tone per character', async () => {
    const script = await buildSimulatorScript({ turns: [{ say: { text: 'We open at nine.' } }] });
    const say = script.turns[0]?.say;
    expect(say?.transcript).toBe('We open at nine.');
    expect(say?.audio.length).toBe(16 * SYNTHETIC_MS_PER_CHAR * 8);
  });

  it('serialises function-call arguments as a JSON string', async () => {
    const script = await buildSimulatorScript({
      turns: [{ functionCall: { name: 'end_call', arguments: { reason: 'bye' } } }],
    });
    expect(script.turns[0]?.functionCall).toEqual({
      name: 'end_call',
      arguments: '{"reason":"bye"}',
    });
  });

  it('has a fixed fallback reply for when the turns run out', async () => {
    const script = await buildSimulatorScript({ turns: [] });
    expect(script.fallback.say?.transcript).toBe(FALLBACK_TEXT);
  });

  it('says where a reply with neither say nor functionCall is', async () => {
    await expect(buildSimulatorScript({ turns: [{}, { callerTranscript: 'hi' }] })).rejects.toThrow(
      new SimulatorScriptError('script turns[0]: needs "say" or "functionCall"'),
    );
  });

  it('reports an audio file that cannot be read at its place in the script', async () => {
    const failing = async (): Promise<Buffer> => {
      throw new Error('file not found');
    };
    await expect(
      buildSimulatorScript({ greeting: { say: { audio: 'x.wav' } } }, { loadAudio: failing }),
    ).rejects.toThrow('script greeting.say.audio: file not found');
  });
});

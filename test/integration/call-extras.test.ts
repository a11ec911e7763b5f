import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { numberedAudio, startCall, type CallHarness } from '../helpers/call-harness.js';

let call: CallHarness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await call?.close();
  call = undefined;
  for (const fn of cleanups.splice(0)) await fn();
});

describe('a slow tool', () => {
  it('has the bot say the configured filler line while the request runs, once the bot is silent', async () => {
    const held: ServerResponse[] = [];
    const api = createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const res of held) res.destroy();
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    });
    call = await startCall({
      TOOLS_CONFIG: 'test/fixtures/tools.filler.json',
      SLOW_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    });
    const responseId = call.model.startResponse();
    call.model.functionCall(responseId, 'slow_lookup', { q: '4217' }, 0);
    call.model.finishResponse(responseId);
    // Waits for the filler timer (1.5 s after the call started), not a sleep.
    const filler = await call.model.waitFor('response.create');
    expect((filler.response as { instructions: string }).instructions).toBe(
      'Say only this, briefly: "One moment while I look that up."',
    );
    expect(held).toHaveLength(1);
  });
});

describe('Azure OpenAI', () => {
  it('connects to the GA v1 path with the deployment as model, the api-key header and no api-version', async () => {
    call = await startCall((realtimeUrl) => ({
      REALTIME_PROVIDER: 'azure',
      OPENAI_API_KEY: '',
      AZURE_OPENAI_API_KEY: 'azure-test-key',
      AZURE_OPENAI_DEPLOYMENT: 'my-realtime',
      // The fake realtime server stands in for the resource's endpoint.
      AZURE_OPENAI_ENDPOINT: new URL(realtimeUrl).origin.replace('ws:', 'http:'),
    }));
    expect(call.model.url).toBe('/openai/v1/realtime?model=my-realtime');
    expect(call.model.headers['api-key']).toBe('azure-test-key');
    expect(call.model.headers.authorization).toBeUndefined();
    call.caller.sendMedia(numberedAudio(20));
    await call.model.waitFor('input_audio_buffer.append');
  });
});

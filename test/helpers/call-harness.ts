/** One call over real sockets: the real server, a fake realtime server and a fake caller. */
import { FakeRealtimeServer, type FakeRealtimeConnection } from '../fakes/fake-realtime-server.js';
import { FakeTwilioCaller } from '../fakes/fake-twilio-caller.js';
import { AUTH_TOKEN, STREAM_URL, startTestServer, type TestServer } from './test-server.js';
import type { ToolRunner } from '../../src/tools/tool-runner.js';
import { ManualClock } from '../../src/replay/twilio/clock.js';

export interface CallHarness {
  fake: FakeRealtimeServer;
  server: TestServer;
  caller: FakeTwilioCaller;
  model: FakeRealtimeConnection;
  /** Resolves once the server has handled everything the caller sent so far. */
  sync(): Promise<void>;
  /**
   * The caller hears `ms` more of the bot, as Twilio plays: the shared clock moves to each mark's
   * due time, the echo goes out then, and the server handles it before the clock moves on.
   */
  hear(ms: number): Promise<void>;
  close(): Promise<void>;
}

let callCounter = 0;

/** µ-law audio of `ms` milliseconds whose bytes encode their own position (for exactness). */
export function numberedAudio(ms: number, seed = 0): Buffer {
  const out = Buffer.alloc(ms * 8);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7 + seed * 13) % 251;
  return out;
}

/** Starts a call: the stream is started and the model session is configured (greeting off). */
export async function startCall(
  env: Record<string, string> | ((realtimeUrl: string) => Record<string, string>) = {},
  options: { tools?: ToolRunner; greeting?: boolean; holdSessionUpdated?: boolean } = {},
): Promise<CallHarness> {
  const fake = new FakeRealtimeServer();
  fake.holdSessionUpdated = options.holdSessionUpdated ?? false;
  const realtimeUrl = await fake.listen();
  // Twilio plays in real time: the server's clock and the caller's playback clock are one clock,
  // which the test advances with caller.play(ms).
  const clock = new ManualClock();
  const server = await startTestServer(
    {
      OPENAI_REALTIME_URL: realtimeUrl,
      ...(options.greeting ? {} : { AGENT_CONFIG: 'test/fixtures/agent.no-greeting.json' }),
      ...(typeof env === 'function' ? env(realtimeUrl) : env),
    },
    { ...options, now: () => clock.now() },
  );
  callCounter += 1;
  const caller = new FakeTwilioCaller({
    clock,
    url: server.mediaUrl,
    streamUrl: STREAM_URL,
    authToken: AUTH_TOKEN,
    callSid: `CA${callCounter.toString(16).padStart(32, '0')}`,
  });
  await caller.start();
  const model = await fake.connection(0);
  await model.waitFor('session.update');
  let syncs = 0;
  const sync = async (): Promise<void> => {
    // A frame sent after the echoes reaches the model only after they were handled.
    const marker = Buffer.alloc(160, 0xff);
    marker.writeUInt32BE(++syncs);
    const payload = marker.toString('base64');
    caller.sendMedia(marker);
    // A call the server ended has nothing left to handle.
    await Promise.race([
      model.waitFor('input_audio_buffer.append', (e) => e.audio === payload),
      caller.closed,
    ]);
  };
  return {
    fake,
    server,
    caller,
    model,
    sync,
    async hear(ms: number) {
      const until = clock.now() + ms;
      for (;;) {
        const due = caller.playback.nextMarkDueMs();
        if (due === undefined || due > until) break;
        caller.play(Math.max(0, due - clock.now()));
        await sync();
      }
      caller.play(until - clock.now());
      await sync();
    },
    async close() {
      caller.close();
      await server.close();
      await fake.close();
    },
  };
}

export interface BareCall {
  fake: FakeRealtimeServer;
  server: TestServer;
  /** Connected and signed, but `start()` not yet sent: the test decides what comes first. */
  caller: FakeTwilioCaller;
  close(): Promise<void>;
}

/** A server, a fake realtime server (configured by `setup`) and an unstarted fake caller. */
export async function openBareCall(
  setup: (fake: FakeRealtimeServer) => void = () => {},
  env: Record<string, string> = {},
): Promise<BareCall> {
  const fake = new FakeRealtimeServer();
  setup(fake);
  const server = await startTestServer({ OPENAI_REALTIME_URL: await fake.listen(), ...env });
  const caller = new FakeTwilioCaller({
    url: server.mediaUrl,
    streamUrl: STREAM_URL,
    authToken: AUTH_TOKEN,
  });
  return {
    fake,
    server,
    caller,
    async close() {
      caller.close();
      await server.close();
      await fake.close();
    },
  };
}

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallRecord } from '../../src/call/call-record.js';
import { ReplayError } from '../../src/replay/twilio/replay-error.js';
import { replayCall, type ReplayOptions } from '../../src/replay/twilio/replay-call.js';

const TOKEN = 'integration-auth-token';
const ADMIN = 'admin-secret';
/** The URL Twilio is configured with; the fake listens elsewhere (as behind a proxy). */
const PUBLIC = 'https://public.example';
const STREAM_URL = 'wss://public.example/twilio/media';
/** 8 kHz µ-law: 8 bytes per ms. */
const BYTES_PER_MS = 8;

type Msg = Record<string, unknown> & { event: string };
type Script = (ws: WebSocket, msg: Msg, fake: FakeTwilioServer) => void;

/** A minimal Switchboard stand-in: checks Twilio signatures and plays a scripted bot. */
class FakeTwilioServer {
  readonly received: Msg[] = [];
  readonly voiceParams: Record<string, string>[] = [];
  readonly actionParams: Record<string, string>[] = [];
  voiceTwiml = `<Response><Connect action="${PUBLIC}/twilio/call-end"><Stream url="${STREAM_URL}"><Parameter name="from" value="+15550001111"/><Parameter name="callSid" value="x&amp;y"/></Stream></Connect></Response>`;
  record: CallRecord | undefined;
  readonly http: Server;
  readonly closed: Promise<void>;
  #closed!: () => void;

  constructor(private readonly script: Script) {
    this.closed = new Promise((resolve) => (this.#closed = resolve));
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post('/twilio/voice', (req, res) => {
      if (!this.#signed(req.header('x-twilio-signature'), `${PUBLIC}/twilio/voice`, req.body))
        return void res.sendStatus(403);
      this.voiceParams.push(req.body as Record<string, string>);
      res.type('text/xml').send(this.voiceTwiml);
    });
    app.post('/twilio/call-end', (req, res) => {
      if (!this.#signed(req.header('x-twilio-signature'), `${PUBLIC}/twilio/call-end`, req.body))
        return void res.sendStatus(403);
      this.actionParams.push(req.body as Record<string, string>);
      res.type('text/xml').send('<Response><Say>Thanks &amp; goodbye</Say><Hangup/></Response>');
    });
    app.get('/calls/:sid', (req, res) => {
      if (req.header('authorization') !== `Bearer ${ADMIN}` || !this.record)
        return void res.sendStatus(404);
      res.json({ ...this.record, callSid: req.params.sid });
    });
    this.http = createServer(app);
    const wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (req, socket, head) => {
      if (
        req.url !== '/twilio/media' ||
        !this.#signed(req.headers['x-twilio-signature'] as string, STREAM_URL, {})
      ) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data) => {
          const msg = JSON.parse(String(data)) as Msg;
          this.received.push(msg);
          this.script(ws, msg, this);
        });
        ws.on('close', () => this.#closed());
      });
    });
  }

  #signed(signature: string | undefined, url: string, params: Record<string, string>): boolean {
    return signature !== undefined && twilio.validateRequest(TOKEN, signature, url, params);
  }

  async listen(): Promise<string> {
    this.http.listen(0, '127.0.0.1');
    await once(this.http, 'listening');
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }
}

function send(ws: WebSocket, streamSid: string, message: Record<string, unknown>): void {
  ws.send(JSON.stringify({ ...message, streamSid }));
}

function audio(ms: number): string {
  return Buffer.alloc(ms * BYTES_PER_MS, 0x20).toString('base64');
}

/** The caller says 400 ms of non-silence. */
const RECORDING = Buffer.alloc(400 * BYTES_PER_MS, 0x10);

/**
 * The bot greets (200 ms + mark), then starts a long answer (1 s + mark) and clears it once ten
 * more caller frames have come in, then ends the call with a mark it closes the socket on.
 */
const bargeInScript: Script = (ws, msg) => {
  const streamSid = String(msg.streamSid);
  const state = ws as WebSocket & { framesAfterLong?: number };
  if (msg.event === 'start') {
    send(ws, streamSid, { event: 'media', media: { payload: audio(200) } });
    send(ws, streamSid, { event: 'mark', mark: { name: 'greet:1' } });
  } else if (msg.event === 'mark' && (msg.mark as { name: string }).name === 'greet:1') {
    send(ws, streamSid, { event: 'media', media: { payload: audio(1000) } });
    send(ws, streamSid, { event: 'mark', mark: { name: 'long:1' } });
    state.framesAfterLong = 0;
  } else if (msg.event === 'media' && state.framesAfterLong !== undefined) {
    state.framesAfterLong += 1;
    if (state.framesAfterLong === 10) send(ws, streamSid, { event: 'clear' });
  } else if (msg.event === 'mark' && (msg.mark as { name: string }).name === 'long:1') {
    send(ws, streamSid, { event: 'mark', mark: { name: 'bye' } });
  } else if (msg.event === 'mark' && (msg.mark as { name: string }).name === 'bye') {
    ws.close();
  }
};

let fake: FakeTwilioServer | undefined;
afterEach(async () => {
  fake?.http.closeAllConnections();
  await new Promise((resolve) => fake?.http.close(resolve) ?? resolve(undefined));
  fake = undefined;
});

async function start(script: Script): Promise<{ server: string; fake: FakeTwilioServer }> {
  fake = new FakeTwilioServer(script);
  return { server: await fake.listen(), fake };
}

/** Replays RECORDING at 4× to `server` as Twilio configured with PUBLIC and TOKEN would. */
function replayTo(server: string, options: Partial<ReplayOptions> = {}) {
  return replayCall({
    recording: RECORDING,
    serverUrl: server,
    publicUrl: PUBLIC,
    authToken: TOKEN,
    speed: 4,
    ...options,
  });
}

describe('replayCall against a fake server', () => {
  it('sends a signed voice webhook with the call parameters Twilio sends', async () => {
    const { server, fake } = await start(bargeInScript);
    const result = await replayTo(server);
    expect(fake.voiceParams[0]).toMatchObject({
      CallSid: result.callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      From: '+15550100001',
    });
  });

  it('opens the media stream with connected, then a start carrying the TwiML parameters', async () => {
    const { server, fake } = await start(bargeInScript);
    const result = await replayTo(server);
    expect(fake.received[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(fake.received[1]).toEqual({
      event: 'start',
      sequenceNumber: '1',
      streamSid: result.streamSid,
      start: {
        streamSid: result.streamSid,
        accountSid: result.accountSid,
        callSid: result.callSid,
        tracks: ['inbound'],
        customParameters: { from: '+15550001111', callSid: 'x&y' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
  });

  it('numbers every message after connected and paces media on a 20 ms media clock', async () => {
    const { server, fake } = await start(bargeInScript);
    await replayTo(server);
    const numbered = fake.received.slice(1).map((m) => Number(m.sequenceNumber));
    expect(numbered).toEqual(numbered.map((_, i) => i + 1));
    const media = fake.received
      .filter((m) => m.event === 'media')
      .map((m) => m.media as Record<string, string>);
    expect(media.slice(0, 3).map((m) => [m.chunk, m.timestamp, m.track])).toEqual([
      ['1', '0', 'inbound'],
      ['2', '20', 'inbound'],
      ['3', '40', 'inbound'],
    ]);
    expect(Buffer.from(media[0]?.payload ?? '', 'base64').length).toBe(160);
  });

  it('records the playhead of the interrupted audio at the clear and echoes its mark', async () => {
    const { server } = await start(bargeInScript);
    const result = await replayTo(server);
    const [clear] = result.clears;
    expect(clear?.flushedMarks).toEqual(['long:1']);
    const long = clear?.segments.find((s) => s.endMark === 'long:1');
    expect(long?.sentMs).toBe(1000);
    expect(long?.playedMs).toBeGreaterThan(0);
    expect(long?.playedMs).toBeLessThan(1000);
    expect(result.marks.map((m) => [m.name, m.flushedByClear])).toEqual([
      ['greet:1', false],
      ['long:1', true],
      ['bye', false],
    ]);
  });

  it('counts as heard exactly the greeting plus what played of the cleared answer', async () => {
    const { server } = await start(bargeInScript);
    const result = await replayTo(server);
    const playedLongMs =
      result.clears[0]?.segments.find((s) => s.endMark === 'long:1')?.playedMs ?? 0;
    expect(result.heardBytes).toBe((200 + playedLongMs) * BYTES_PER_MS);
    expect(result.heardAudio.filter((b) => b === 0x20).length).toBe(result.heardBytes);
  });

  it('follows the Connect action when the server closes the socket and reports its TwiML', async () => {
    const { server, fake } = await start(bargeInScript);
    const result = await replayTo(server);
    expect(result.endReason).toBe('server_closed');
    expect(fake.actionParams[0]).toMatchObject({
      CallSid: result.callSid,
      CallStatus: 'in-progress',
    });
    expect(result.outcome).toMatchObject({
      by: 'server',
      description: 'Say "Thanks & goodbye" → Hangup',
    });
  });

  it('fetches the server call record with the admin token', async () => {
    const { server, fake } = await start(bargeInScript);
    fake.record = {
      callSid: '',
      streamSid: 'MZ',
      startedAt: 'now',
      events: [{ t: 0, type: 'stream_started' }],
    };
    const result = await replayTo(server, { adminToken: ADMIN });
    expect(result.callRecord?.callSid).toBe(result.callSid);
  });

  it('sends stop and hangs up after the tail of bot silence when the server never ends the call', async () => {
    const { server, fake } = await start(() => undefined);
    const result = await replayTo(server, { tailMs: 200 });
    await fake.closed;
    expect(result.endReason).toBe('tail_silence');
    expect(fake.received.at(-1)).toMatchObject({
      event: 'stop',
      stop: { callSid: result.callSid },
    });
    expect(result.outcome.by).toBe('caller');
  });
});

describe('replayCall failures', () => {
  it('fails with signature_refused when the auth token is wrong', async () => {
    const { server } = await start(bargeInScript);
    const run = replayTo(server, { authToken: 'wrong' });
    await expect(run).rejects.toMatchObject({ code: 'signature_refused' });
  });

  it('fails with signature_refused when the public URL differs from the one the server signs', async () => {
    const { server } = await start(bargeInScript);
    const run = replayCall({ recording: RECORDING, serverUrl: server, authToken: TOKEN });
    await expect(run).rejects.toMatchObject({ code: 'signature_refused' });
  });

  it('fails with no_stream when the TwiML has no Connect Stream', async () => {
    const { server, fake } = await start(bargeInScript);
    fake.voiceTwiml = '<Response><Say>Closed</Say></Response>';
    const run = replayTo(server);
    await expect(run).rejects.toMatchObject({ code: 'no_stream' });
  });

  it('fails with call_rejected when the server answers Reject', async () => {
    const { server, fake } = await start(bargeInScript);
    fake.voiceTwiml = '<Response><Reject reason="busy"/></Response>';
    const run = replayTo(server);
    await expect(run).rejects.toMatchObject({ code: 'call_rejected' });
  });

  it('fails with signature_refused when the media socket upgrade is refused', async () => {
    const { server, fake } = await start(bargeInScript);
    fake.voiceTwiml =
      '<Response><Connect><Stream url="wss://elsewhere.example/twilio/media"/></Connect></Response>';
    const run = replayTo(server);
    await expect(run).rejects.toMatchObject({ code: 'signature_refused' });
  });

  it('fails with server_unreachable when nothing listens', async () => {
    const run = replayCall({
      recording: RECORDING,
      serverUrl: 'http://127.0.0.1:1',
      authToken: TOKEN,
    });
    await expect(run).rejects.toBeInstanceOf(ReplayError);
    await expect(run).rejects.toMatchObject({ code: 'server_unreachable' });
  });

  it('fails with recording_unreadable when the file does not exist', async () => {
    const run = replayCall({ recording: '/nonexistent/call.wav', authToken: TOKEN });
    await expect(run).rejects.toMatchObject({ code: 'recording_unreadable' });
  });
});

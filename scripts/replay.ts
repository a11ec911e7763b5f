/**
 * `npm run replay -- <recording> [options]`: plays Twilio to a running Switchboard server with
 * recorded caller audio, then writes what the caller heard and a timeline of the call.
 */
import { parseArgs } from 'node:util';
import { ReplayError, type ReplayErrorCode } from '../src/replay/twilio/replay-error.js';
import { REPLAY_DEFAULTS, replayCall } from '../src/replay/twilio/replay-call.js';
import { progressPrinter, progressSeconds } from '../src/replay/progress-printer.js';
import { writeReplayOutputs } from '../src/replay/timeline/write-replay-outputs.js';

/** Exit codes, one per failure a QA person acts on differently (documented in --help). */
const EXIT_CODES: Record<ReplayErrorCode | 'unexpected', number> = {
  unexpected: 1,
  bad_options: 2,
  recording_unreadable: 3,
  server_unreachable: 4,
  signature_refused: 5,
  no_stream: 6,
  bad_twiml: 6,
  call_rejected: 7,
  http_error: 8,
  media_socket_refused: 8,
};

const HELP = `Usage: npm run replay -- <recording.wav|.ulaw|.raw|.jsonl> [options]

Plays Twilio to a running Switchboard server: signed voice webhook, signed media socket with the
recording paced in real time (then silence), exact emulation of Twilio's playback, marks and
clears, the <Connect action> callback, and (with an admin token) the server's call record.

Options:
  --server <url>        where the server listens (default ${REPLAY_DEFAULTS.serverUrl})
  --public-url <url>    the URL Twilio signs (default: env PUBLIC_URL, else --server)
  --auth-token <token>  Twilio auth token (default: env TWILIO_AUTH_TOKEN)
  --admin-token <token> fetch GET /calls/<CallSid> (default: env ADMIN_TOKEN)
  --from <e164>         caller number (default ${REPLAY_DEFAULTS.from})
  --to <e164>           called number (default ${REPLAY_DEFAULTS.to})
  --speed <n>           1 = real time, 2, 4… (default 1). Above 1 Twilio's side plays faster than
                        Twilio does, and the server, which walks playback in real time between
                        mark echoes a second apart, truncates behind what was heard: judge
                        barge-ins at 1
  --tail-ms <ms>        end after the bot is silent this long once the recording ended (default ${REPLAY_DEFAULTS.tailMs})
  --max-seconds <s>     hard limit on the call (default ${REPLAY_DEFAULTS.maxSeconds})
  --out <dir>           output directory (default replay-out/<timestamp>)
  --quiet               no progress line and no summary; print only where the files are
  -h, --help            this text

Writes heard.ulaw.wav, stereo.wav (caller left, bot right), transcript.txt, timeline.json,
summary.txt and timeline.svg.

Exit codes:
  0  the call was replayed
  1  unexpected error
  2  bad arguments
  3  the recording cannot be read
  4  the server is unreachable
  5  the server refused the Twilio signature (403): check --auth-token and --public-url
  6  the voice TwiML has no <Connect><Stream> (or is not TwiML)
  7  the server rejected the call (<Reject>, e.g. draining)
  8  the server answered an HTTP error (webhook or media socket upgrade)
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        'public-url': { type: 'string' },
        'auth-token': { type: 'string' },
        'admin-token': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        speed: { type: 'string' },
        'tail-ms': { type: 'string' },
        'max-seconds': { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`replay: ${(err as Error).message}\n\n${HELP}`);
    return EXIT_CODES.bad_options;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const recording = positionals[0];
  if (!recording || positionals.length > 1) {
    console.error(`replay: give exactly one recording file\n\n${HELP}`);
    return EXIT_CODES.bad_options;
  }
  const numbers = parseNumbers({
    speed: v.speed,
    tailMs: v['tail-ms'],
    maxSeconds: v['max-seconds'],
  });
  if (typeof numbers === 'string') {
    console.error(`replay: ${numbers}`);
    return EXIT_CODES.bad_options;
  }
  const serverUrl = v.server ?? REPLAY_DEFAULTS.serverUrl;
  const progress = v.quiet
    ? undefined
    : progressPrinter(
        (p) =>
          `▶ ${progressSeconds(p.nowMs)} / ${progressSeconds(p.recordingMs)}  sent ${p.framesSent} frames  heard ${progressSeconds(p.heardMs)} bot audio  marks ${p.marks}  clears ${p.clears}`,
      );
  const result = await replayCall({
    recording,
    serverUrl,
    publicUrl: v['public-url'] ?? process.env.PUBLIC_URL ?? serverUrl,
    authToken: v['auth-token'] ?? process.env.TWILIO_AUTH_TOKEN ?? '',
    adminToken: v['admin-token'] ?? process.env.ADMIN_TOKEN,
    from: v.from,
    to: v.to,
    ...numbers,
    onProgress: progress?.update,
  });
  progress?.done();
  const out = await writeReplayOutputs(result, v.out ?? defaultOutDir());
  if (!v.quiet) console.log('\n' + out.summary);
  if (result.callRecordError)
    console.error(`replay: no server call record: ${result.callRecordError}`);
  console.log(
    `Files in ${out.dir}: ${Object.values(out.files)
      .map((f) => f.slice(out.dir.length + 1))
      .join(', ')}`,
  );
  return 0;
}

type NumberOptions = { speed?: number; tailMs?: number; maxSeconds?: number };

function parseNumbers(
  raw: Record<keyof NumberOptions, string | undefined>,
): NumberOptions | string {
  const out: NumberOptions = {};
  for (const [key, text] of Object.entries(raw) as [keyof NumberOptions, string | undefined][]) {
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0)
      return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be a non-negative number, got "${text}"`;
    out[key] = n;
  }
  return out;
}

function defaultOutDir(): string {
  return `replay-out/${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ReplayError) {
      console.error(`replay: ${err.message}`);
      process.exitCode = EXIT_CODES[err.code];
    } else {
      console.error('replay: unexpected error:', err);
      process.exitCode = EXIT_CODES.unexpected;
    }
  },
);

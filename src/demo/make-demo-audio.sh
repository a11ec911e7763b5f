#!/usr/bin/env bash
# Makes the demo's audio in src/demo/audio/: the caller's side of the demo call, timed against the
# bot replies of src/demo/demo-script.json, and copies of those bot replies (so `npm run demo`
# never reads test/). Same tools and telephone band as scripts/make-recordings.sh; sox runs with
# -R, so the output is byte-identical for a given espeak-ng/sox version.
#
# Needs espeak-ng and sox. Only needed when the demo's lines change; the WAVs are committed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/src/demo/audio"
FIXTURES="$ROOT/test/fixtures/recordings"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

CALLER_VOICE="en-us"   # the same caller voice as the test recordings
SPEECH_WPM=165         # the same pace as the test recordings
SYNTH_RATE_HZ=22050    # espeak-ng's native output rate
SOX=(sox -R -D -q)

# The caller's timing, in seconds of silence before each line. The bot's replies (durations in
# test/fixtures/recordings/manifest.json) decide it:
# - 4.8 s: the greeting (3.8 s) starts about 0.3 s into the call and has finished by then.
# - 4.5 s after the question: the question is committed 0.6 s after it ends (agent.json
#   silenceDurationMs), "Let me check" (1.3 s) plays, then the order status (6.4 s) starts at
#   about 2.3 s; the caller cuts in about 2 s into it.
# - 4.5 s after the hours question: the hours answer (3.4 s) plays out in full before "bye".
WAIT_GREETING_S=4.8
WAIT_INTERRUPT_S=4.5
WAIT_HOURS_S=4.5
TAIL_S=1

speak() {
  espeak-ng -v "$CALLER_VOICE" -s "$SPEECH_WPM" -w "$WORK/raw.wav" "$1"
  "${SOX[@]}" "$WORK/raw.wav" "$2" silence 1 0.005 0.1% reverse silence 1 0.005 0.1% reverse
}
silence() {
  "${SOX[@]}" -n -r "$SYNTH_RATE_HZ" -c 1 -b 16 "$2" trim 0 "$1"
}

mkdir -p "$OUT"
silence "$WAIT_GREETING_S" "$WORK/s1.wav"
speak "Hi, is my order four two one seven ready?" "$WORK/t1.wav"
silence "$WAIT_INTERRUPT_S" "$WORK/s2.wav"
speak "Sorry, actually, when do you open tomorrow?" "$WORK/t2.wav"
silence "$WAIT_HOURS_S" "$WORK/s3.wav"
speak "Okay, thanks, bye." "$WORK/t3.wav"
silence "$TAIL_S" "$WORK/s4.wav"
"${SOX[@]}" "$WORK"/s1.wav "$WORK"/t1.wav "$WORK"/s2.wav "$WORK"/t2.wav "$WORK"/s3.wav \
  "$WORK"/t3.wav "$WORK"/s4.wav "$WORK/caller.wav"
# Telephone band, 8 kHz µ-law: what Twilio would send.
"${SOX[@]}" "$WORK/caller.wav" -r 8000 -c 1 -e u-law -b 8 "$OUT/demo-caller.wav" sinc 300-3400 rate -v 8000

for reply in bot-greeting bot-checking bot-order-status bot-hours bot-goodbye; do
  cp "$FIXTURES/$reply.wav" "$OUT/$reply.wav"
done
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"

#!/usr/bin/env bash
# Makes the committed test recordings in test/fixtures/recordings/: synthetic caller turns and
# bot replies, all telephone quality (300–3400 Hz, 8 kHz mono µ-law WAV), plus manifest.json
# with durations, transcripts and the measured speech ranges of the caller files.
#
# Needs espeak-ng and sox. Re-runnable; sox runs with -R (repeatable random numbers for noise
# and dither), so the output is byte-identical for a given espeak-ng/sox version.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/test/fixtures/recordings"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

CALLER_VOICE="en-us"      # the caller: espeak-ng's American English voice
BOT_VOICE="en-gb+f3"      # the bot: British English with a female variant, easy to tell apart
SPEECH_WPM=165            # espeak-ng speed; its default 175 wpm is fast for a phone line
SYNTH_RATE_HZ=22050       # espeak-ng's native output rate; mixing happens here
NOISE_SNR_DB=17           # noisy-line: pink noise this far below the speech level (brief: 15–20)
QUIET_GAIN_DB=-20         # quiet-caller: the clean call this much quieter
# Speech-range scan (see speech_ranges): 20 ms frames, the frame size of a Twilio media message.
FRAME_SAMPLES=160
THRESHOLD_BELOW_PEAK_DB=40   # a frame is speech if within 40 dB of the loudest frame ...
THRESHOLD_ABOVE_FLOOR_DB=10  # ... and 10 dB above the quietest tenth (the noise floor)
MERGE_GAP_MS=300             # pauses between words shorter than this do not split a range
MIN_SPEECH_MS=60             # shorter bursts (clicks) are not speech

SOX=(sox -R -D -q)

# speak VOICE TEXT OUT: synthesize, with espeak's own leading/trailing silence trimmed so the
# silences added below are exact.
speak() {
  espeak-ng -v "$1" -s "$SPEECH_WPM" -w "$WORK/raw.wav" "$2"
  "${SOX[@]}" "$WORK/raw.wav" "$3" silence 1 0.005 0.1% reverse silence 1 0.005 0.1% reverse
}

# silence SECONDS OUT
silence() {
  "${SOX[@]}" -n -r "$SYNTH_RATE_HZ" -c 1 -b 16 "$2" trim 0 "$1"
}

# telephone IN OUT [EFFECTS...]: band-limit to 300–3400 Hz, 8 kHz mono µ-law.
telephone() {
  local in="$1" out="$2"
  shift 2
  "${SOX[@]}" "$in" -r 8000 -c 1 -e u-law -b 8 "$out" "$@" sinc 300-3400 rate -v 8000
}

# conversation OUT SILENCE TEXT SILENCE TEXT ... SILENCE: alternating silences and caller turns.
conversation() {
  local out="$1" parts=() i=0
  shift
  while (($# > 0)); do
    i=$((i + 1))
    if ((i % 2 == 1)); then silence "$1" "$WORK/part$i.wav"; else speak "$CALLER_VOICE" "$1" "$WORK/part$i.wav"; fi
    parts+=("$WORK/part$i.wav")
    shift
  done
  "${SOX[@]}" "${parts[@]}" "$out"
}

# rms FILE: RMS amplitude (0..1) of the file within the telephone band.
rms() {
  "${SOX[@]}" "$1" -n sinc 300-3400 stat 2>&1 | awk '/RMS +amplitude/ { print $3 }'
}

# add_noise IN SPEECH_ONLY OUT: mix pink noise NOISE_SNR_DB below the RMS of SPEECH_ONLY (the
# turns without the silences, so pauses do not dilute the speech level). Both levels are
# measured in the 300–3400 Hz band, since most of pink noise's energy lies below 300 Hz.
add_noise() {
  local seconds speech_rms noise_rms gain
  seconds="$(soxi -D "$1")"
  "${SOX[@]}" -n -r "$SYNTH_RATE_HZ" -c 1 -b 16 "$WORK/noise.wav" synth "$seconds" pinknoise vol 0.5
  speech_rms="$(rms "$2")"
  noise_rms="$(rms "$WORK/noise.wav")"
  gain="$(awk -v s="$speech_rms" -v n="$noise_rms" -v snr="$NOISE_SNR_DB" 'BEGIN { printf "%.6f", s / n / 10 ^ (snr / 20) }')"
  "${SOX[@]}" -m -v 1 "$1" -v "$gain" "$WORK/noise.wav" "$3"
}

# speech_ranges FILE: JSON array of [startMs, endMs] where the 20 ms frame energy is above an
# adaptive threshold (no VAD: a plain energy scan of the µ-law file decoded by sox).
speech_ranges() {
  "${SOX[@]}" "$1" -t dat - | awk -v fs="$FRAME_SAMPLES" -v below="$THRESHOLD_BELOW_PEAK_DB" \
    -v above="$THRESHOLD_ABOVE_FLOOR_DB" -v gap="$MERGE_GAP_MS" -v minlen="$MIN_SPEECH_MS" '
    /^;/ { next }
    { sum += $2 * $2; n++; if (n == fs) { db[frames++] = 10 * log(sum / fs + 1e-12) / log(10); sum = 0; n = 0 } }
    END {
      # Peak, and the 10th percentile from a 1 dB histogram (POSIX awk has no sort).
      peak = -200; for (i = 0; i < frames; i++) { if (db[i] > peak) peak = db[i]; b = int(db[i] + 200); hist[b]++ }
      seen = 0; for (b = 0; b <= 200 && seen < frames / 10; b++) seen += hist[b]; floor = b - 200
      thr = peak - below; if (floor + above > thr) thr = floor + above
      frame_ms = fs / 8; count = 0; start = -1
      for (i = 0; i <= frames; i++) {
        on = (i < frames && db[i] > thr)
        if (on && start < 0) start = i
        if (!on && start >= 0) { s[count] = start * frame_ms; e[count] = i * frame_ms; count++; start = -1 }
      }
      m = 0
      for (i = 0; i < count; i++) {
        if (m > 0 && s[i] - me[m - 1] < gap) { me[m - 1] = e[i] } else { ms[m] = s[i]; me[m] = e[i]; m++ }
      }
      out = ""
      for (i = 0; i < m; i++) if (me[i] - ms[i] >= minlen) out = out (out == "" ? "" : ", ") "[" ms[i] ", " me[i] "]"
      printf "[%s]", out
    }'
}

duration_ms() {
  echo $(($(soxi -s "$1") / 8))
}

MANIFEST_ENTRIES=()
# manifest_entry FILE ROLE TRANSCRIPT: one manifest.json entry; caller files get speechMs.
manifest_entry() {
  local name entry
  name="$(basename "$1")"
  entry="    {\"file\": \"$name\", \"role\": \"$2\", \"durationMs\": $(duration_ms "$1"), \"transcript\": \"$3\""
  if [[ "$2" == "caller" ]]; then entry+=", \"speechMs\": $(speech_ranges "$1")"; fi
  MANIFEST_ENTRIES+=("$entry}")
}

mkdir -p "$OUT"

# --- Caller recordings --------------------------------------------------------------------
ORDER_1="Hi, I'd like to check on my order. The number is four two one seven."
ORDER_2="Great, thank you. That's all, goodbye."
ORDER_TRANSCRIPT="$ORDER_1 $ORDER_2"
conversation "$WORK/order.wav" 0.8 "$ORDER_1" 4 "$ORDER_2" 2
"${SOX[@]}" "$WORK/part2.wav" "$WORK/part4.wav" "$WORK/order-speech.wav"
telephone "$WORK/order.wav" "$OUT/order-status.wav"
manifest_entry "$OUT/order-status.wav" caller "$ORDER_TRANSCRIPT"

add_noise "$WORK/order.wav" "$WORK/order-speech.wav" "$WORK/order-noisy.wav"
telephone "$WORK/order-noisy.wav" "$OUT/noisy-line.wav"
manifest_entry "$OUT/noisy-line.wav" caller "$ORDER_TRANSCRIPT"

telephone "$WORK/order.wav" "$OUT/quiet-caller.wav" vol "${QUIET_GAIN_DB}dB"
manifest_entry "$OUT/quiet-caller.wav" caller "$ORDER_TRANSCRIPT"

INT_1="Hello, is my order four two one seven ready?"
INT_2="Sorry, actually, when do you open tomorrow?"
INT_3="Okay, thanks, bye."
conversation "$WORK/interrupting.wav" 0.8 "$INT_1" 1.5 "$INT_2" 4 "$INT_3" 2
telephone "$WORK/interrupting.wav" "$OUT/interrupting-caller.wav"
manifest_entry "$OUT/interrupting-caller.wav" caller "$INT_1 $INT_2 $INT_3"

# --- Bot replies --------------------------------------------------------------------------
bot_reply() {
  speak "$BOT_VOICE" "$2" "$WORK/bot.wav"
  telephone "$WORK/bot.wav" "$OUT/$1.wav"
  manifest_entry "$OUT/$1.wav" bot "$2"
}
bot_reply bot-greeting "Thanks for calling Acme Outfitters. How can I help you today?"
bot_reply bot-order-status "Order four two one seven shipped yesterday and should arrive on Thursday. Is there anything else I can help you with?"
bot_reply bot-checking "Let me check that for you."
bot_reply bot-hours "We open at nine in the morning and close at six in the evening."
bot_reply bot-goodbye "Thanks for calling. Goodbye!"
bot_reply bot-long-answer "Our store hours change with the seasons, so in summer we stay open a little later on weekdays and close early on holidays."

{
  echo "{"
  echo "  \"generatedBy\": \"scripts/make-recordings.sh\","
  echo "  \"format\": \"WAV, G.711 µ-law, 8000 Hz, mono, band-limited 300-3400 Hz\","
  echo "  \"tools\": \"$(espeak-ng --version | head -n 1 | sed 's/ *Data at:.*//'); $(sox --version | sed 's/^sox: *//')\","
  echo "  \"voices\": {\"caller\": \"$CALLER_VOICE\", \"bot\": \"$BOT_VOICE\"},"
  echo "  \"speechMsMethod\": \"20 ms frame energy of the file itself, speech when above max(peak - $THRESHOLD_BELOW_PEAK_DB dB, 10th-percentile floor + $THRESHOLD_ABOVE_FLOOR_DB dB); pauses under $MERGE_GAP_MS ms merged, bursts under $MIN_SPEECH_MS ms dropped\","
  echo "  \"files\": ["
  last=$((${#MANIFEST_ENTRIES[@]} - 1))
  for i in "${!MANIFEST_ENTRIES[@]}"; do
    if ((i < last)); then echo "${MANIFEST_ENTRIES[$i]},"; else echo "${MANIFEST_ENTRIES[$i]}"; fi
  done
  echo "  ]"
  echo "}"
} >"$OUT/manifest.json"

echo "wrote $(ls "$OUT" | wc -l) files to $OUT"

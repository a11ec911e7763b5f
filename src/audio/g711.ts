/**
 * G.711 companding (µ-law and A-law) between PCM16 samples and the 8-bit bytes that telephone
 * networks carry. Twilio Media Streams and OpenAI `audio/pcmu` both use µ-law at 8 kHz.
 */
import alawmulaw from 'alawmulaw';

/** G.711 sample rate: 8000 samples/s (ITU-T G.711; Twilio `mediaFormat.sampleRate`). */
export const ULAW_SAMPLE_RATE_HZ = 8000;
/** µ-law bytes per millisecond: one byte per sample at 8 kHz. */
export const ULAW_BYTES_PER_MS = ULAW_SAMPLE_RATE_HZ / 1000;
/** Duration of one Twilio media frame: 20 ms (observed Twilio framing, see protocols.md §5.2). */
export const FRAME_MS = 20;
/** Bytes in one 20 ms µ-law frame: FRAME_MS × ULAW_BYTES_PER_MS = 160. */
export const FRAME_BYTES = FRAME_MS * ULAW_BYTES_PER_MS;
/** µ-law code for zero amplitude (positive zero, 0xFF; the value Twilio pads with). */
export const ULAW_SILENCE_BYTE = 0xff;
/** A-law code for zero amplitude (0xD5: 0x80 with the even bits inverted, per G.711). */
export const ALAW_SILENCE_BYTE = 0xd5;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes µ-law bytes to PCM16 samples (one sample per byte). */
export function ulawToPcm16(bytes: Uint8Array): Int16Array {
  return alawmulaw.mulaw.decode(bytes);
}

/** Encodes PCM16 samples to µ-law bytes (one byte per sample). */
export function pcm16ToUlaw(samples: Int16Array): Buffer {
  return asBuffer(alawmulaw.mulaw.encode(samples));
}

/** Decodes A-law bytes to PCM16 samples (one sample per byte). */
export function alawToPcm16(bytes: Uint8Array): Int16Array {
  return alawmulaw.alaw.decode(bytes);
}

/** Encodes PCM16 samples to A-law bytes (one byte per sample). */
export function pcm16ToAlaw(samples: Int16Array): Buffer {
  return asBuffer(alawmulaw.alaw.encode(samples));
}

/** Returns `byteLength` bytes of µ-law silence. */
export function ulawSilence(byteLength: number): Buffer {
  return Buffer.alloc(Math.max(0, Math.floor(byteLength)), ULAW_SILENCE_BYTE);
}

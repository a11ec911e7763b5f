/**
 * PCM16 little-endian bytes ⇄ `Int16Array`. Copies sample by sample because a Node `Buffer` is
 * often a slice of a shared pool at an odd offset, which an `Int16Array` view cannot start at.
 */

/** Reads little-endian 16-bit samples; a trailing odd byte is ignored. */
export function pcm16FromLeBytes(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
  return samples;
}

/** Writes samples as little-endian 16-bit bytes. */
export function pcm16ToLeBytes(samples: Int16Array): Buffer {
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i] ?? 0, i * 2);
  return bytes;
}

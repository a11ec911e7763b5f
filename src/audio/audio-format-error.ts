/** Audio bytes that are not in a format the audio layer can read; the message says what was found. */
export class AudioFormatError extends Error {
  override readonly name = 'AudioFormatError';
}

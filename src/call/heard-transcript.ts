/**
 * The part of a transcript the caller heard, estimated from the proportion of audio heard. Speech
 * rate varies, so this is an estimate, cut back to a word boundary; it is named so wherever used.
 */
export function heardTranscriptEstimate(
  transcript: string,
  heardBytes: number,
  sentBytes: number,
): string {
  if (sentBytes <= 0 || heardBytes <= 0) return '';
  if (heardBytes >= sentBytes) return transcript;
  const cut = Math.floor((transcript.length * heardBytes) / sentBytes);
  const lastSpace = transcript.lastIndexOf(' ', cut);
  return transcript.slice(0, lastSpace > 0 ? lastSpace : cut).trimEnd();
}

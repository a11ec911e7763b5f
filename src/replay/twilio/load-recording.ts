/**
 * Loads caller audio for a replay as µ-law 8 kHz bytes through the shared `readRecording`,
 * turning its failures into the replay's own error code (the CLI maps it to an exit code).
 */
import { RecordingError, readRecording } from '../../audio/recording.js';
import { ReplayError } from './replay-error.js';

/** Reads a `.wav`, `.ulaw`/`.raw` or `.jsonl` capture; ReplayError('recording_unreadable') if not. */
export async function loadRecording(path: string): Promise<Buffer> {
  try {
    return await readRecording(path);
  } catch (err) {
    if (err instanceof RecordingError) {
      throw new ReplayError('recording_unreadable', err.message, { cause: err });
    }
    throw new ReplayError('recording_unreadable', `recording ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

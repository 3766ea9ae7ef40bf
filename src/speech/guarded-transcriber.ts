import { guarded, type CircuitBreaker } from "../lib/breaker.js";
import { AppError } from "../lib/errors.js";
import type { Transcriber } from "./port.js";

/**
 * The speech server behind its breaker: after a few timeouts or 5xx in a row a voice note is answered
 * at once ("please type") instead of after the whole budget, until a probe finds the server back. An
 * answer with a 4xx shows the server is there.
 */
export function guardedTranscriber(inner: Transcriber, breaker: CircuitBreaker): Transcriber {
  return {
    async transcribe(file, options) {
      if (!breaker.allow()) throw new AppError("UPSTREAM", "speech server unreachable (circuit open)");
      return guarded(breaker, () => inner.transcribe(file, options), (err) => (options.signal.aborted ? new Error("speech: timeout") : err));
    },
    ...(inner.ping
      ? { ping: (signal: AbortSignal) => guarded(breaker, () => inner.ping!(signal), (err) => (signal.aborted ? new Error("speech: timeout") : err)) }
      : {}),
  };
}

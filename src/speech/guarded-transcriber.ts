import type { CircuitBreaker } from "../lib/breaker.js";
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
      try {
        const text = await inner.transcribe(file, options);
        breaker.success();
        return text;
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        if (typeof status === "number" && status < 500) breaker.success();
        else breaker.failure(options.signal.aborted ? new Error("speech: timeout") : err);
        throw err;
      }
    },
  };
}

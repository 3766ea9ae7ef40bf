import { cleanText, hasWords } from "./text.js";
import { button, say, type Turn } from "./turn.js";

/** Longest transcript kept: a voice note is a minute or two of speech. */
const MAX_TRANSCRIPT_CHARS = 2000;
const DEFAULT_BUDGET_MS = 10_000;

/**
 * A voice note becomes text that goes through the dialogue as if typed, shown back first with a way
 * to correct it. Without speech to text, or when it fails or runs out of time, the note is kept (as
 * evidence, by the caller) and the resident is asked to type.
 */
export async function hearVoice(turn: Turn): Promise<"heard" | "unclear" | "unavailable"> {
  const file = turn.inbound.file!;
  const { transcriber, logger } = turn.deps;
  if (!transcriber) {
    say(turn, "voice.noAsr");
    return "unavailable";
  }
  const budget = turn.deps.transcribeTimeoutMs ?? DEFAULT_BUDGET_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`transcription took over ${budget} ms`)), budget);
  let text = "";
  try {
    // The race makes the budget hold even if a transport ignored the abort signal.
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason as Error), { once: true }),
    );
    text = await Promise.race([
      transcriber.transcribe(
        { path: file.storagePath, mime: file.mime, ...(file.name ? { name: file.name } : {}) },
        { signal: controller.signal, language: turn.locale === "en" ? "en" : "zh" },
      ),
      aborted,
    ]);
  } catch (err) {
    logger.warn({ err: (err as Error).message, channel: turn.inbound.channel }, "voice note not transcribed");
    say(turn, "voice.unclear");
    return "unclear";
  } finally {
    clearTimeout(timer);
  }
  text = cleanText(text).slice(0, MAX_TRANSCRIPT_CHARS);
  if (!hasWords(text)) {
    say(turn, "voice.unclear");
    return "unclear";
  }
  turn.text = text;
  turn.inbound.text = text;
  turn.inbound.transcribed = true;
  say(turn, "voice.heard", { text }, [[button(turn, "voice.wrong", "voice:wrong")]]);
  return "heard";
}

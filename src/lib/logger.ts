import { pino, type Logger, type DestinationStream } from "pino";
import { redactText, redactValue } from "./redact.js";

export type { Logger };

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      formatters: {
        log: (obj) => redactValue(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === "string" ? redactText(a) : a)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
    },
    options.destination,
  );
}

/** For tests and tools that want no output. */
export const silentLogger: Logger = pino({ level: "silent" });

import { z } from "zod";
import { AppError } from "../lib/errors.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const intFromEnv = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    DATABASE_URL: z
      .string()
      .default("file:./data/onedoor.db")
      .refine((v) => v.startsWith("file:") || /^postgres(ql)?:\/\//.test(v), {
        message: "must be a SQLite file: URL or a postgres:// URL",
      }),
    HOST: z.string().default("127.0.0.1"),
    PORT: intFromEnv(3000, 0, 65535),
    PUBLIC_BASE_URL: optionalString.pipe(z.string().url().optional()),
    DATA_DIR: z.string().default("./data"),
    CENTRE_TIMEZONE: z
      .string()
      .default("Asia/Shanghai")
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, "is not a known IANA time zone"),
    CASE_CODE_PREFIX: z.string().regex(/^[A-Z]{2,6}$/, "must be 2–6 capital letters").default("OD"),
    ESCALATION_MARGIN_MINUTES: intFromEnv(60, 0, 7 * 24 * 60),
    JOB_POLL_MS: intFromEnv(1000, 50, 60_000),
    STAFF_API_TOKEN: optionalString,

    TELEGRAM_BOT_TOKEN: optionalString,
    TELEGRAM_API_ROOT: z.string().url().default("https://api.telegram.org"),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, "may hold only A-Z a-z 0-9 _ - (Telegram's rule)")
        .optional(),
    ),

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalString.pipe(z.string().url().optional()),
    CLASSIFIER_MODEL: z.string().default("gpt-4o-mini"),
    CLASSIFIER_TIMEOUT_MS: intFromEnv(4000, 100, 60_000),
    CLASSIFIER_MODEL_FILE: z.string().default("models/classifier.json"),

    WECOM_CORP_ID: optionalString,
    WECOM_AGENT_ID: optionalString,
    WECOM_SECRET: optionalString,
    WECOM_TOKEN: optionalString,
    WECOM_ENCODING_AES_KEY: optionalString,
    WECOM_API_BASE: z.string().url().default("https://qyapi.weixin.qq.com"),

    LIVEKIT_URL: optionalString,
    LIVEKIT_API_KEY: optionalString,
    LIVEKIT_API_SECRET: optionalString,
  })
  .superRefine((env, ctx) => {
    const wecom = [env.WECOM_CORP_ID, env.WECOM_SECRET, env.WECOM_TOKEN, env.WECOM_ENCODING_AES_KEY];
    if (wecom.some(Boolean) && !wecom.every(Boolean)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["WECOM_CORP_ID"],
        message: "WeCom needs WECOM_CORP_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_ENCODING_AES_KEY together",
      });
    }
    const livekit = [env.LIVEKIT_URL, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET];
    if (livekit.some(Boolean) && !livekit.every(Boolean)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["LIVEKIT_URL"],
        message: "LiveKit needs LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET together",
      });
    }
  });

export type Env = z.infer<typeof schema>;

export interface Config extends Env {
  /** Where links in messages point. */
  publicBaseUrl: string;
  databaseKind: "sqlite" | "postgres";
  telegram: { token: string; apiRoot: string; webhookSecret?: string } | null;
  llm: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number } | null;
}

/** Parse the environment once at start-up; an invalid value stops start-up with one clear line. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "env"} ${i.message}`);
    throw new AppError("CONFIG", `Invalid configuration: ${lines.join("; ")}`);
  }
  const e = parsed.data;
  return {
    ...e,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    databaseKind: e.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgres",
    telegram: e.TELEGRAM_BOT_TOKEN
      ? { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET }
      : null,
    llm: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.CLASSIFIER_MODEL, timeoutMs: e.CLASSIFIER_TIMEOUT_MS }
      : null,
  };
}

import { z } from "zod";
import { AppError } from "../lib/errors.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

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
    CENTRE_NAME: z.string().default("县矛盾纠纷调处化解中心"),
    CENTRE_NAME_EN: z.string().default("county dispute mediation centre"),
    CENTRE_DUTY_PHONE: optionalString.pipe(
      z
        .string()
        .regex(/^\+?[0-9][0-9 -]{2,18}[0-9]$/, "must be a phone number (digits, spaces, hyphens)")
        .optional(),
    ),
    CENTRE_HOURS: z
      .string()
      .default("08:30-17:30")
      .refine((v) => /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(v) && v.slice(0, 5) < v.slice(6), {
        message: "must be HH:MM-HH:MM, opening before closing",
      }),
    CENTRE_WORKDAYS: z
      .string()
      .default("1-5")
      .refine((v) => parseDays(v) !== undefined, { message: "must list weekdays 1-7 (1 = Monday), e.g. 1-5 or 1,2,3,4,5,6" }),
    HANDOFF_REPLY_MINUTES: intFromEnv(30, 1, 24 * 60),
    JOB_POLL_MS: intFromEnv(1000, 50, 60_000),
    STAFF_API_TOKEN: optionalString,
    /** Express's "trust proxy": which peers' X-Forwarded-For to believe (a reverse proxy in front). */
    TRUST_PROXY: optionalString,

    // The public web chat's limits: far above what a resident does, far below what a flood needs.
    WEB_CHAT_REQUESTS_PER_MINUTE: intFromEnv(600, 1, 1_000_000),
    WEB_CHAT_SESSIONS_PER_MINUTE: intFromEnv(20, 1, 1_000_000),
    WEB_CHAT_SESSIONS_PER_HOUR: intFromEnv(200, 1, 1_000_000),
    WEB_CHAT_MESSAGES_PER_MINUTE: intFromEnv(30, 1, 1_000_000),
    WEB_CHAT_MESSAGES_PER_DAY: intFromEnv(1000, 1, 10_000_000),
    WEB_CHAT_READS_PER_MINUTE: intFromEnv(120, 1, 1_000_000),
    WEB_CHAT_MAX_BODY_KB: intFromEnv(256, 16, 10_240),
    WEB_CHAT_UPLOAD_MB_PER_DAY: intFromEnv(200, 1, 1_000_000),

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

    SPEECH_MODEL: optionalString,
    SPEECH_BASE_URL: optionalString.pipe(z.string().url().optional()),
    SPEECH_API_KEY: optionalString,
    SPEECH_TIMEOUT_MS: intFromEnv(10_000, 500, 120_000),

    WECOM_CORP_ID: optionalString,
    WECOM_AGENT_ID: optionalString,
    WECOM_SECRET: optionalString,
    WECOM_TOKEN: optionalString,
    WECOM_ENCODING_AES_KEY: optionalString,
    WECOM_API_BASE: z.string().url().default("https://qyapi.weixin.qq.com"),

    LIVEKIT_URL: optionalString.pipe(
      z
        .string()
        .regex(/^wss?:\/\/[^/\s]+(\/[^\s]*)?$/, "must be the ws:// or wss:// address browsers connect to (e.g. wss://livekit.example.org)")
        .optional(),
    ),
    LIVEKIT_API_KEY: optionalString,
    LIVEKIT_API_SECRET: optionalString,
    /** Minutes before a video session's start from which its room can be entered. */
    JOIN_WINDOW_MINUTES: intFromEnv(15, 0, 24 * 60),
    /** Days a document's download link works. */
    DOCUMENT_LINK_DAYS: intFromEnv(30, 1, 365),
    /** A party who has not opened a served document after this many days gets it again, and staff are told. */
    DOCUMENT_OPEN_DAYS: intFromEnv(3, 1, 60),
    /** The court the parties apply to for judicial confirmation of an agreement (named in the reminders). */
    COURT_NAME: z.string().min(1).max(60).default("县人民法院"),
    /** On SIGTERM or SIGINT, how long the turns and sends in hand get before they are cut off and the process exits. */
    SHUTDOWN_GRACE_MS: intFromEnv(10_000, 0, 120_000),
    /** The deadline of one Bot API call (a long poll waits 30 s more on top). */
    TELEGRAM_TIMEOUT_MS: intFromEnv(30_000, 1_000, 300_000),
    /** Staff are told when an outside service has been unreachable this long (once), and again when it is back. */
    OUTAGE_ALERT_MINUTES: intFromEnv(10, 1, 24 * 60),
    DEPENDENCY_CHECK_SECONDS: intFromEnv(30, 1, 3600),
  })
  .superRefine((env, ctx) => {
    // Without a token the staff API answers only to the machine itself; any setting that lets other
    // machines in (listening on the network, a proxy in front, whose requests all come from loopback)
    // would hand it to everyone.
    if (!env.STAFF_API_TOKEN && (!LOOPBACK_HOSTS.has(env.HOST) || env.TRUST_PROXY)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["STAFF_API_TOKEN"],
        message: `is required when ${env.TRUST_PROXY ? "TRUST_PROXY is set" : `HOST is ${env.HOST}`}: without it the staff API would be open to the network`,
      });
    }
    const wecom = [env.WECOM_CORP_ID, env.WECOM_SECRET, env.WECOM_TOKEN, env.WECOM_ENCODING_AES_KEY];
    if (wecom.some(Boolean) && !wecom.every(Boolean)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["WECOM_CORP_ID"],
        message: "WeCom needs WECOM_CORP_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_ENCODING_AES_KEY together",
      });
    }
    if (env.SPEECH_MODEL && !(env.SPEECH_API_KEY ?? env.OPENAI_API_KEY)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["SPEECH_MODEL"],
        message: "speech to text needs SPEECH_API_KEY (or OPENAI_API_KEY)",
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

/** "1-5" or "1,2,3,4,5,6" → ISO weekdays; undefined when malformed. */
export function parseDays(v: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of v.split(",").map((p) => p.trim())) {
    const m = part.match(/^([1-7])(?:-([1-7]))?$/);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    if (to < from) return undefined;
    for (let d = from; d <= to; d++) days.add(d);
  }
  return days.size ? [...days].sort() : undefined;
}

export type Env = z.infer<typeof schema>;

export interface Config extends Env {
  /** Where links in messages point. */
  publicBaseUrl: string;
  databaseKind: "sqlite" | "postgres";
  telegram: { token: string; apiRoot: string; webhookSecret?: string; timeoutMs: number } | null;
  llm: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number } | null;
  /** Speech to text for voice notes, when SPEECH_MODEL is set. */
  speech: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number } | null;
  /** The public web chat's rate limits and quotas (per address, per session). */
  webChat: WebChatLimits;
  /** Video mediation, when LIVEKIT_URL (and its key and secret) are set. */
  livekit: { url: string; httpUrl: string; apiKey: string; apiSecret: string } | null;
  centre: {
    nameZh: string;
    nameEn: string;
    dutyPhone?: string;
    hours: { zone: string; open: string; close: string; days: number[] };
    handoffReplyMinutes: number;
  };
}

export interface WebChatLimits {
  /** Every /api/chat request from one address (polls included), per minute. */
  requestsPerMinute: number;
  /** New sessions from one address. */
  sessionsPerMinute: number;
  sessionsPerHour: number;
  /** Messages and files one session sends. */
  messagesPerMinute: number;
  messagesPerDay: number;
  /** Transcript reads (reloads, polls) of one session. */
  readsPerMinute: number;
  /** The largest JSON body of a message. */
  maxBodyBytes: number;
  /** Megabytes of files one session may upload a day (each file counts at its declared size, rounded up). */
  uploadMbPerDay: number;
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
      ? { token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET, timeoutMs: e.TELEGRAM_TIMEOUT_MS }
      : null,
    llm: e.OPENAI_API_KEY
      ? { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.CLASSIFIER_MODEL, timeoutMs: e.CLASSIFIER_TIMEOUT_MS }
      : null,
    speech: e.SPEECH_MODEL
      ? {
          apiKey: (e.SPEECH_API_KEY ?? e.OPENAI_API_KEY)!,
          baseUrl: e.SPEECH_BASE_URL ?? e.OPENAI_BASE_URL,
          model: e.SPEECH_MODEL,
          timeoutMs: e.SPEECH_TIMEOUT_MS,
        }
      : null,
    livekit:
      e.LIVEKIT_URL && e.LIVEKIT_API_KEY && e.LIVEKIT_API_SECRET
        ? {
            url: e.LIVEKIT_URL.replace(/\/$/, ""),
            // RoomService is the same server over HTTP: ws → http, wss → https.
            httpUrl: e.LIVEKIT_URL.replace(/^ws/, "http").replace(/\/$/, ""),
            apiKey: e.LIVEKIT_API_KEY,
            apiSecret: e.LIVEKIT_API_SECRET,
          }
        : null,
    webChat: {
      requestsPerMinute: e.WEB_CHAT_REQUESTS_PER_MINUTE,
      sessionsPerMinute: e.WEB_CHAT_SESSIONS_PER_MINUTE,
      sessionsPerHour: e.WEB_CHAT_SESSIONS_PER_HOUR,
      messagesPerMinute: e.WEB_CHAT_MESSAGES_PER_MINUTE,
      messagesPerDay: e.WEB_CHAT_MESSAGES_PER_DAY,
      readsPerMinute: e.WEB_CHAT_READS_PER_MINUTE,
      maxBodyBytes: e.WEB_CHAT_MAX_BODY_KB * 1024,
      uploadMbPerDay: e.WEB_CHAT_UPLOAD_MB_PER_DAY,
    },
    centre: {
      nameZh: e.CENTRE_NAME,
      nameEn: e.CENTRE_NAME_EN,
      ...(e.CENTRE_DUTY_PHONE ? { dutyPhone: e.CENTRE_DUTY_PHONE } : {}),
      hours: { zone: e.CENTRE_TIMEZONE, open: e.CENTRE_HOURS.slice(0, 5), close: e.CENTRE_HOURS.slice(6), days: parseDays(e.CENTRE_WORKDAYS)! },
      handoffReplyMinutes: e.HANDOFF_REPLY_MINUTES,
    },
  };
}

import { autoRetry } from "@grammyjs/auto-retry";
import type express from "express";
import { Bot, GrammyError, HttpError, InputFile, type Context } from "grammy";
import type { BotCommandScope, Update } from "grammy/types";
import type { Sql } from "../../../db/sql.js";
import { t, type Locale, type MessageKey } from "../../../i18n/index.js";
import type { JobHandler } from "../../../jobs/worker.js";
import type { Clock } from "../../../lib/clock.js";
import { within } from "../../../lib/clock.js";
import { KeyedLock } from "../../../lib/keyed-lock.js";
import type { Logger } from "../../../lib/logger.js";
import { COMMANDS } from "../../router.js";
import type { Dialogue } from "../../dialogue.js";
import { STAFF_COMMANDS } from "../../mediator.js";
import type { Inbound, Outbound } from "../../messages.js";
import type { FileStore } from "../../../files/file-store.js";
import { isAppError } from "../../../lib/errors.js";
import { sendFailure, type ChannelSender } from "../../../notify/channels.js";
import type { Dispatcher } from "../../../notify/dispatcher.js";
import { fetchEvidence, MAX_FILE_BYTES, offeredFile } from "./evidence-files.js";
import { baseInbound, pressedLabel, privateChatOf, startPayloadOf, TELEGRAM_CHANNEL } from "./inbound.js";
import { TELEGRAM_LIMITS, type RateLimits } from "./limits.js";
import { renderOutbound } from "./render.js";
import { Semaphore } from "./semaphore.js";
import { createInboundPipeline } from "../../../inbound/pipeline.js";
import type { SingletonCallbacks, SingletonRole } from "../../../jobs/singleton.js";
import type { HealthReporter } from "../../../lib/health.js";
import type { CircuitBreaker } from "../../../lib/breaker.js";
import { createTelegramWebhookRouter, TELEGRAM_WEBHOOK_PATH } from "./webhook.routes.js";

export { TELEGRAM_CHANNEL };

export const TELEGRAM_UPDATE_JOB = "telegram.update";

/** Only what the dialogue understands; everything else Telegram would send is not asked for. */
const ALLOWED_UPDATES = ["message", "callback_query"] as const;

export interface TelegramChannelDeps {
  token: string;
  apiRoot: string;
  webhookSecret?: string;
  /** PUBLIC_BASE_URL when it is configured: with the secret it selects webhook mode. */
  publicBaseUrl?: string;
  dataDir: string;
  files: FileStore;
  dialogue: Dialogue;
  /** The delivery ledger's sender: this channel registers itself, and drains a chat after its turn. */
  dispatcher: Dispatcher;
  sql: Sql;
  /** This process's claim name (jobs/lease.ts), shared with the job worker. */
  owner: string;
  clock: Clock;
  logger: Logger;
  limits?: Partial<RateLimits>;
  maxFileBytes?: number;
  /** Updates in the dialogue at once. Bounded so a burst does not crowd out the webhook's own answers. */
  concurrency?: number;
  /** Polling mode, several instances: only the holder of this role long-polls (jobs/singleton.ts). */
  pollerRole?: (callbacks: SingletonCallbacks) => SingletonRole;
  /** Where the channel says whether its loop runs (GET /healthz). */
  reportHealth?: HealthReporter;
  /** The Bot API's circuit breaker: every call's outcome is reported to it; while open, nothing is sent. */
  breaker?: CircuitBreaker;
  /** The deadline of one Bot API call (a long poll gets its own wait on top). */
  timeoutMs?: number;
  /** How long start() waits for the Bot API before the service goes on without it (booting continues behind). */
  bootWaitMs?: number;
}

export interface TelegramChannel {
  mode: "webhook" | "polling";
  /** The webhook route (webhook mode only). */
  router?: express.Router;
  /** One message to one chat; the dispatcher calls it for every delivery on this channel. */
  sender: ChannelSender;
  /** The job sweep finishes updates this or a crashed process stored but did not finish. */
  jobHandlers: Record<string, JobHandler>;
  /** t.me link that opens the bot with a /start payload, once the bot's name is known. */
  deepLink(payload: string): string | undefined;
  start(): Promise<void>;
  /** One cheap Bot API call (getMe), its outcome reported to the breaker: how an open breaker finds Telegram back when nothing else calls it. */
  probe(): Promise<void>;
  /** Stops taking updates and waits for the ones in hand, for at most `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The person blocked the bot, left, or the chat is gone: no message will reach them. */
const UNREACHABLE = /chat not found|user is deactivated|bot was blocked|bot was kicked|user not found|have no rights to send/i;

/** A failed Bot API call as the ledger sees it (notify/channels.ts). */
function asSendFailure(err: unknown): Error {
  if (err instanceof GrammyError) {
    const what = `${err.method}: ${err.error_code} ${err.description}`;
    if (err.error_code === 429) return sendFailure("rate_limited", what, (err.parameters.retry_after ?? 1) * 1000, err);
    if (err.error_code === 403 || UNREACHABLE.test(err.description)) return sendFailure("refused", what, undefined, err);
    if (err.error_code >= 500) return sendFailure("temporary", what, undefined, err);
    return sendFailure("rejected", what, undefined, err);
  }
  if (err instanceof HttpError) return sendFailure("temporary", `network: ${err.message}`, undefined, err);
  // A file the store no longer has is our bug, like a 400.
  if (isAppError(err, "NOT_FOUND") || isAppError(err, "BAD_INPUT")) return sendFailure("rejected", err.message, undefined, err);
  return err instanceof Error ? err : new Error(String(err));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


/**
 * The Telegram adapter: updates in (webhook or long polling) → stored durably → handled at once in the
 * background → Inbound for the dialogue; its Outbound rendered as messages, keyboards and documents.
 * It translates and delivers; the dialogue decides.
 */
export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { logger, dialogue } = deps;
  const mode = deps.webhookSecret && deps.publicBaseUrl ? "webhook" : "polling";
  const botId = deps.token.split(":")[0] ?? "bot";
  const limits = { ...TELEGRAM_LIMITS, ...deps.limits };
  // Fixed windows shared by every instance: a burst of a few bubbles, then the published pace.
  const chatWindow = { limit: limits.perChatBurst, windowMs: Math.round((limits.perChatBurst * 1000) / limits.perChatPerSecond) };
  const globalWindow = { limit: limits.globalBurst, windowMs: Math.round((limits.globalBurst * 1000) / limits.globalPerSecond) };
  const chatLock = new KeyedLock();
  const dialogueSlots = new Semaphore(deps.concurrency ?? 8);
  let stopping = false;
  let receiver: Bot | undefined;

  const timeoutSeconds = Math.ceil((deps.timeoutMs ?? 30_000) / 1000);
  const bot = new Bot(deps.token, { client: { apiRoot: deps.apiRoot, timeoutSeconds } });
  watchOutcomes(bot);
  // A short 429 is waited out in place. A longer flood wait, a 5xx or a network error fails the call, and
  // the ledger puts that one delivery back in the queue (retry_after, or its own durable back-off):
  // auto-retry's own back-off would hold the claim for up to an hour of an outage.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 5, rethrowInternalServerErrors: true, rethrowHttpErrors: true }));

  /**
   * Every call's outcome goes to the breaker: a network error, a timeout or a 5xx is a failure; any
   * other answer (a 4xx, a 429) shows the Bot API is there. Our own abort on stop is neither.
   */
  function watchOutcomes(b: Bot): void {
    const breaker = deps.breaker;
    if (!breaker) return;
    b.api.config.use(async (prev, method, payload, signal) => {
      try {
        const res = await prev(method, payload, signal);
        if (!res.ok && res.error_code >= 500) breaker.failure(new Error(`${method}: ${res.error_code} ${res.description}`));
        else breaker.success();
        return res;
      } catch (err) {
        if (!signal?.aborted && !stopping) breaker.failure(err);
        throw err;
      }
    });
  }

  let inited: Promise<void> | undefined;
  function ready(): Promise<void> {
    inited ??= (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await bot.init();
          return;
        } catch (err) {
          if (stopping) throw err;
          logger.warn({ err: err instanceof Error ? err.message : String(err), attempt }, "Telegram getMe failed; retrying");
          await sleep(Math.min(1000 * 2 ** attempt, 60_000));
        }
      }
    })();
    return inited;
  }

  async function sendOne(chatId: string, o: Outbound, signal?: AbortSignal): Promise<{ channelMessageId: string }> {
    const calls = renderOutbound(o, (data) => logger.error({ data }, "button data over Telegram's 64 bytes; button left out"));
    // grammY types its signal with a polyfill's class; Node's own is what it is given at run time.
    const abort = signal as unknown as Parameters<Bot["api"]["sendMessage"]>[3];
    const ids: number[] = [];
    for (const call of calls) {
      if (call.method === "sendMessage") {
        const m = await bot.api.sendMessage(chatId, call.text, {
          ...(call.keyboard ? { reply_markup: { inline_keyboard: call.keyboard } } : {}),
          ...(call.entities ? { entities: call.entities } : {}),
        }, abort);
        ids.push(m.message_id);
      } else {
        // The bytes come from the file store, never from a URL the server would fetch back from itself.
        const bytes = await deps.files.read(call.ref);
        const m = await bot.api.sendDocument(chatId, new InputFile(bytes, call.name), call.caption ? { caption: call.caption } : {}, abort);
        ids.push(m.message_id);
      }
    }
    return { channelMessageId: ids.join(",") };
  }

  const sender: ChannelSender = {
    availableInMs: () => deps.breaker?.waitMs() ?? 0,
    async send(chatId, message, signal) {
      // While the Bot API is unreachable the message waits in the ledger (no attempt spent); after the
      // pause one send goes through as the probe.
      if (deps.breaker && !deps.breaker.allow()) {
        throw sendFailure("rate_limited", "Telegram is unreachable: waiting for it to come back", Math.max(deps.breaker.waitMs(), 1_000));
      }
      await ready();
      try {
        return await sendOne(chatId, message, signal);
      } catch (err) {
        throw asSendFailure(err);
      }
    },
    limits: (chatId) => [
      { key: `telegram:${botId}:chat:${chatId}`, limit: chatWindow },
      { key: `telegram:${botId}:all`, limit: globalWindow },
    ],
  };
  deps.dispatcher.register(TELEGRAM_CHANNEL, sender);

  async function converse(ctx: Context, part: Partial<Inbound>): Promise<void> {
    const chatId = String(ctx.chat!.id);
    const inbound: Inbound = { ...baseInbound(ctx.update, chatId), ...part };
    // Only the dialogue holds a slot: waiting out a 429 for one chat must not hold up the others.
    const answer = await dialogueSlots.run(() => dialogue.handle(inbound));
    // The replies are in the ledger with the turn; send what this chat has due (a redelivered update
    // finds its replies sent already and sends nothing again).
    await deps.dispatcher.drain(TELEGRAM_CHANNEL, chatId);
    if (answer.becameStaff) {
      await setCommands(STAFF_COMMANDS, { type: "chat", chat_id: Number(chatId) }).catch((err: unknown) =>
        logger.warn({ err: (err as Error).message }, "setMyCommands for a mediator's chat failed"),
      );
    }
  }

  bot.on("callback_query:data", async (ctx) => {
    // Every press is answered, so the button stops spinning: in webhook mode by the webhook response
    // already; when polling, here. A stale query (a re-run) is fine to miss.
    if (mode !== "webhook") {
      await ctx.answerCallbackQuery().catch((err: unknown) => logger.debug({ err: (err as Error).message }, "answerCallbackQuery failed"));
    }
    const data = ctx.callbackQuery.data;
    await converse(ctx, { button: data, ...(pressedLabel(ctx.update, data) ? { buttonLabel: pressedLabel(ctx.update, data) } : {}) });
  });

  bot.on(["message:photo", "message:voice", "message:audio", "message:document"], async (ctx) => {
    const offer = offeredFile(ctx.message)!;
    const fetched = await fetchEvidence(
      {
        getFile: (fileId) => bot.api.getFile(fileId),
        downloadUrl: (filePath) => `${deps.apiRoot.replace(/\/$/, "")}/file/bot${deps.token}/${filePath}`,
        dataDir: deps.dataDir,
        maxBytes: deps.maxFileBytes ?? MAX_FILE_BYTES,
      },
      offer,
    );
    if ("rejected" in fetched) {
      return converse(ctx, { fileRefused: { reason: fetched.rejected, limitBytes: deps.maxFileBytes ?? MAX_FILE_BYTES } });
    }
    await converse(ctx, { file: fetched.file, ...(ctx.message.caption ? { text: ctx.message.caption } : {}) });
  });

  bot.on("message", async (ctx) => {
    const text = ctx.message.text ?? ctx.message.caption;
    const payload = startPayloadOf(ctx.message.text);
    await converse(ctx, { ...(text !== undefined ? { text } : {}), ...(payload ? { startPayload: payload } : {}) });
  });

  // Last: anything else (edited messages, group chats, other update kinds) is left alone on purpose.
  bot.use(() => undefined);

  /** One stored update, in order with the others of its chat. */
  const pipeline = createInboundPipeline<Update>({
    sql: deps.sql,
    clock: deps.clock,
    logger,
    kind: TELEGRAM_UPDATE_JOB,
    owner: deps.owner,
    keyOf: (update) => `telegram:${botId}:${update.update_id}`,
    async handle(update) {
      const chatId = privateChatOf(update);
      if (!chatId) return;
      await ready();
      await chatLock.run(chatId, () => bot.handleUpdate(update));
    },
  });
  const accept = (update: Update) => pipeline.accept(update);

  const router =
    mode === "webhook" ? createTelegramWebhookRouter({ secret: deps.webhookSecret!, accept: (u) => accept(u as Update) }) : undefined;

  /** The command menu in Chinese (also the default) and English, for everyone or for one chat. */
  async function setCommands(commands: readonly string[], scope?: BotCommandScope): Promise<void> {
    const list = (locale: Locale) => commands.map((c) => ({ command: c, description: t(locale, `command.${c}` as MessageKey) }));
    const where = scope ? { scope } : {};
    await bot.api.setMyCommands(list("zh-CN"), where);
    await bot.api.setMyCommands(list("zh-CN"), { ...where, language_code: "zh" });
    await bot.api.setMyCommands(list("en"), { ...where, language_code: "en" });
  }

  /** Long-polls until stopped or the poll fails (then reports why and gives the poller role up). */
  async function poll(onFailure?: (err: unknown) => boolean): Promise<void> {
    // A long poll waits up to 30 s for updates by itself: its deadline is that plus one call's.
    const r = new Bot(deps.token, { client: { apiRoot: deps.apiRoot, timeoutSeconds: 30 + timeoutSeconds }, botInfo: bot.botInfo });
    watchOutcomes(r);
    r.use(async (ctx) => {
      // The offset moves on only after this returns: keep trying rather than drop the update.
      for (let attempt = 1; ; attempt++) {
        try {
          return await accept(ctx.update);
        } catch (err) {
          if (attempt >= 8 || stopping) throw err;
          await sleep(250 * 2 ** attempt);
        }
      }
    });
    r.catch((err) => logger.error({ err: err.error instanceof Error ? err.error.message : String(err.error) }, "could not store a polled update"));
    receiver = r;
    await new Promise<void>((resolve) => {
      // bot.start deletes any webhook first, then long-polls until stopped.
      r.start({ allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false, onStart: () => resolve() }).catch((err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        resolve();
        if (onFailure?.(err)) return logger.warn({ err: reason }, "Telegram polling interrupted; polling again");
        logger.error({ err: reason }, "Telegram polling stopped");
        deps.reportHealth?.({ ok: false, detail: `polling stopped: ${reason}` });
      });
    });
  }

  async function startPolling(): Promise<void> {
    const health = deps.reportHealth;
    if (!deps.pollerRole) {
      await poll();
      if (receiver?.isRunning()) health?.({ ok: true, detail: "polling" });
      return;
    }
    // Several instances: one long-polls (Telegram answers a second getUpdates with 409); the others
    // stand by and take over within seconds of the poller dying.
    let conflicts = 0;
    const pollAsHolder = async (): Promise<void> => {
      await poll((err) => {
        // Telegram ends a long poll with 409 when another getUpdates arrives: just after a takeover,
        // that is the previous poller's last call. Only a conflict that goes on means another poller.
        if (err instanceof GrammyError && err.error_code === 409 && role.held && !stopping && conflicts++ < 3) {
          setTimeout(() => void (role.held && !stopping ? pollAsHolder() : undefined), 1000).unref();
          return true;
        }
        void role.relinquish();
        return false;
      });
      if (receiver?.isRunning()) health?.({ ok: true, detail: "polling" });
    };
    const role = deps.pollerRole({
      onAcquired: async () => {
        if (stopping) return;
        conflicts = 0;
        await pollAsHolder();
      },
      onLost: async () => {
        if (receiver?.isRunning()) await receiver.stop().catch(() => undefined);
      },
      onStandby: () => health?.({ ok: true, detail: "standby: another instance polls" }),
    });
    await role.start();
  }

  async function boot(): Promise<void> {
    try {
      await bootChannel();
    } catch (err) {
      deps.reportHealth?.({ ok: false, detail: `did not start: ${err instanceof Error ? err.message : String(err)}` });
      throw err;
    }
  }

  async function bootChannel(): Promise<void> {
    deps.reportHealth?.({ ok: true, detail: "starting" });
    await ready();
    await setCommands(COMMANDS).catch((err: unknown) => logger.warn({ err: (err as Error).message }, "setMyCommands failed"));
    if (stopping) return;
    if (mode === "webhook") {
      const url = `${deps.publicBaseUrl!.replace(/\/$/, "")}${TELEGRAM_WEBHOOK_PATH}`;
      await bot.api.setWebhook(url, { secret_token: deps.webhookSecret!, allowed_updates: [...ALLOWED_UPDATES], max_connections: 40 });
      logger.info({ url }, "Telegram webhook set");
      deps.reportHealth?.({ ok: true, detail: "webhook" });
    } else {
      await startPolling();
      logger.info("Telegram long polling started");
    }
  }

  return {
    mode,
    router,
    sender,
    jobHandlers: pipeline.jobHandlers,
    deepLink: (payload) => (bot.isInited() ? `https://t.me/${bot.botInfo.username}?start=${payload}` : undefined),
    async start() {
      // A Bot API that is down does not keep the centre from starting: boot goes on in the background.
      const booting = boot().catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, "Telegram channel did not start"));
      await within(booting, deps.bootWaitMs ?? 10_000);
    },
    async probe() {
      await bot.api.getMe().catch(() => undefined);
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      // grammY's stop confirms the last offset with one more getUpdates, which a hanging Bot API never
      // answers: it gets the grace period, not the client's whole timeout.
      const ends = Date.now() + graceMs;
      if (receiver?.isRunning()) await within(receiver.stop().catch(() => undefined), graceMs);
      await within(pipeline.drain(), Math.max(0, ends - Date.now()));
    },
  };
}

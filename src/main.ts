import fs from "node:fs";
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { createConversationRepository, transcriptWriter } from "./bot/conversation.repository.js";
import { createLocalFileStore } from "./files/file-store.js";
import { createDeliveryRepository } from "./notify/delivery.repository.js";
import { createDispatcher, type Dispatcher } from "./notify/dispatcher.js";
import { createMessenger, type Messenger } from "./notify/messenger.js";
import { createDialogue, type Dialogue } from "./bot/dialogue.js";
import type { TelegramChannel } from "./bot/channels/telegram/telegram-channel.js";
import { privateChatOf } from "./bot/channels/telegram/inbound.js";
import type { Update } from "grammy/types";
import type { RateLimits } from "./bot/channels/telegram/limits.js";
import { createWebChatRouter } from "./bot/channels/web/web-chat.routes.js";
import { createWebSessionRepository } from "./bot/channels/web/web-session.repository.js";
import { createBufferedRateLimiter, createRateLimiter, type BufferedRateLimiter } from "./notify/rate-limit.js";
import { createMediatorJobHandlers } from "./bot/mediator.js";
import { createHandoffJobHandlers } from "./bot/flows/handoff/handoff.jobs.js";
import { createHandoffRepository } from "./bot/flows/handoff/handoff.repository.js";
import type { Transcriber } from "./speech/port.js";
import { createCaseJobHandlers } from "./cases/case-jobs.js";
import { createBookingJobHandlers } from "./bot/flows/booking/booking.jobs.js";
import { createSchedulingRepository } from "./scheduling/scheduling.repository.js";
import { SESSION_JOBS, type SchedulingDeps } from "./scheduling/deps.js";
import { markAbsentees } from "./video/attendance.repository.js";
import { createConsentJobHandlers } from "./cases/consent-jobs.js";
import type { InvitationDeps } from "./cases/invitation.js";
import { DEFAULT_SLA } from "./cases/deadlines.js";
import type { CaseDeps } from "./cases/deps.js";
import { createCaseRepositories } from "./cases/repositories.js";
import { seedReferenceData } from "./cases/seed.js";
import { createLocalClassifier } from "./classify/local-model.js";
import type { Classifier } from "./classify/port.js";
import { loadConfig, type Config } from "./config/env.js";
import { openDatabase } from "./db/client.js";
import { sql as sqlTag, type Sql } from "./db/sql.js";
import { migrateDatabase } from "./db/migrate.js";
import { createApp, RequestsInHand } from "./http/app.js";
import { createStaffRouter } from "./http/staff.routes.js";
import { createSchedulingRouter } from "./http/scheduling.routes.js";
import { createManageRouter } from "./http/manage.routes.js";
import { createVideoRouter } from "./http/video.routes.js";
import { createSecretStore } from "./db/secrets.js";
import { createJoinLinks, type JoinLinks } from "./video/join-link.js";
import { createManageLinks } from "./scheduling/manage-link.js";
import { createDocumentJobHandlers, DOCUMENT_ISSUE } from "./documents/case-documents.js";
import { createBreaker, type BreakerOptions, type CircuitBreaker } from "./lib/breaker.js";
import { startProbes, type Probe } from "./lib/probes.js";
import { videoDownNotice } from "./video/video-down.js";
import { createOutageAlerts } from "./jobs/outage-alerts.js";
import { createOutageRepository } from "./jobs/outage.repository.js";
import { guardedTranscriber } from "./speech/guarded-transcriber.js";
import { notifyStaff } from "./jobs/notify-staff.js";
import { within } from "./lib/clock.js";
import { createDocumentLinks } from "./documents/document-link.js";
import { createDocumentRepository } from "./documents/document.repository.js";
import { createAgreementJobHandlers } from "./documents/agreement-jobs.js";
import type { SigningDeps } from "./documents/sign-agreement.js";
import { createSignatureRepository } from "./documents/signature.repository.js";
import { createPdfRenderer } from "./documents/pdf/render-pdf.js";
import { issueSessionNotice } from "./documents/session-notice.js";
import { createDocumentsRouter } from "./http/documents.routes.js";
import { createStaffDocumentsRouter } from "./http/staff-documents.routes.js";
import type { VideoService } from "./video/port.js";
import { createPruneHandler, PRUNE, schedulePrune } from "./jobs/prune.js";
import { createJobWorker, type JobWorker, type JobWorkerDeps } from "./jobs/worker.js";
import { listenForJobs } from "./jobs/wake-up.js";
import { createLeaseKeeper, processOwner, releaseClaims } from "./jobs/lease.js";
import { createNamedLease, createSingletonRole, type SingletonRole } from "./jobs/singleton.js";
import { createHealthRegistry } from "./lib/health.js";
import { systemClock, type Clock } from "./lib/clock.js";
import { isAppError } from "./lib/errors.js";
import { createLogger, type Logger } from "./lib/logger.js";

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Tests hand in a database that is already migrated. */
  migrate?: boolean;
  /** Tests drive the job sweep themselves. */
  startWorker?: boolean;
  classifier?: Classifier;
  /** Tests hand in speech to text (or leave it out). */
  transcriber?: Transcriber;
  /** Tests shorten the claim leases (jobs/lease.ts) so a killed instance's work is taken over quickly. */
  leases?: { leaseMs?: number; heartbeatMs?: number };
  /** Tests and benchmarks loosen Telegram's pacing against a local fake Bot API. */
  telegram?: { limits?: Partial<RateLimits>; maxFileBytes?: number; concurrency?: number; bootWaitMs?: number };
  /** Tests tell staff of an outage sooner than OUTAGE_ALERT_MINUTES, and look more often. */
  outageAlerts?: { alertAfterMs: number; everyMs: number };
  /** Tests open the outside services' breakers sooner and probe again sooner. */
  breakers?: Pick<BreakerOptions, "failureThreshold" | "openMs" | "maxOpenMs">;
  /** Tests ask the quiet services sooner than DEPENDENCY_CHECK_SECONDS. */
  dependencyCheckMs?: number;
}

export interface Running {
  config: Config;
  sql: Sql;
  url: string;
  server: Server;
  dialogue: Dialogue;
  worker: JobWorker;
  /** The web chat's limits as this process counts them (tests write its counts with `flush`). */
  webLimits: Pick<BufferedRateLimiter, "flush">;
  /** The delivery ledger's sender (tests drive `sweep` when the worker is not started). */
  dispatcher: Dispatcher;
  messenger: Messenger;
  telegram?: TelegramChannel;
  cases: CaseDeps;
  /** Join links of video sessions (`PUBLIC_BASE_URL/join/<token>`), signed with the key every instance shares. */
  joinLinks: JoinLinks;
  /** Issuing and serving documents (the staff API and tests issue through it). */
  documents: SigningDeps;
  /**
   * Stops: no new work (readiness 503), the turns and sends in hand finish for up to `graceMs`
   * (SHUTDOWN_GRACE_MS), the rest is cut off and its claims released, the database closed. Whatever an
   * outside service does, it returns within the grace period and a little.
   */
  close(graceMs?: number): Promise<void>;
}

/** The composition root: config → db → domain → dialogue → channels and HTTP → job worker. */
export async function start(config: Config, options: StartOptions = {}): Promise<Running> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL });

  if (options.migrate !== false) await migrateDatabase(config.DATABASE_URL);
  const database = await openDatabase(config.DATABASE_URL);
  const { sql } = database;
  // The SLA policy is the centre's data (staff API); the configured hours and margin seed a new database.
  const { open, close, days } = config.centre.hours;
  await seedReferenceData(sql, undefined, {
    ...DEFAULT_SLA,
    escalationMarginMinutes: config.ESCALATION_MARGIN_MINUTES,
    hours: { open, close, days },
  });

  // The model server's breaker (listed by /healthz when a model is configured).
  const modelBreaker = createBreaker({ name: "model", ...options.breakers });
  const classifier = options.classifier ?? (await buildClassifier(config, logger, modelBreaker));
  const conversations = createConversationRepository(sql);

  const handoffs = createHandoffRepository(sql);
  // The speech server's breaker (listed by /healthz when speech is configured).
  const speechBreaker = createBreaker({ name: "speech", ...options.breakers });
  const transcriber = config.speech ? guardedTranscriber(await buildTranscriber(config.speech), speechBreaker) : undefined;

  // The delivery ledger: every message to a person is a row; the dispatcher sends them on the channels
  // this process runs (the web chat's transcript is its own delivery, so it has no sender).
  const leaseOwner = processOwner();
  const dispatcher = createDispatcher({ sql, clock, logger, owner: leaseOwner, pollMs: config.JOB_POLL_MS, leaseMs: options.leases?.leaseMs });
  const files = createLocalFileStore(config.DATA_DIR);
  // What residents send is counted here first and written a few times a second (see createBufferedRateLimiter).
  const webLimits = createBufferedRateLimiter(sql, {
    clock,
    onError: (err) => logger.warn({ err }, "web-chat rate counts not written yet; kept for the next write"),
  });
  const messenger = createMessenger({ sql, clock, transcript: transcriptWriter, onQueued: (channel, recipient) => void dispatcher.drain(channel, recipient) });

  let worker: JobWorker | undefined;
  // One repository per aggregate on the Sql port: everything the use cases read and write.
  const repos = createCaseRepositories(sql);
  const cases: CaseDeps = {
    repos,
    sql,
    clock,
    zone: config.CENTRE_TIMEZONE,
    codePrefix: config.CASE_CODE_PREFIX,
    onJobsDue: () => worker?.kick(),
  };
  const secrets = createSecretStore(sql, clock);
  // Documents: rendered here (an embedded CJK font, no system font), served through the ledger.
  const documents: SigningDeps = {
    cases,
    documents: createDocumentRepository(sql),
    deliveries: createDeliveryRepository(sql),
    files,
    links: createDocumentLinks({ secrets, publicBaseUrl: config.publicBaseUrl }),
    secrets,
    messenger,
    linkDays: config.DOCUMENT_LINK_DAYS,
    openWithinDays: config.DOCUMENT_OPEN_DAYS,
    renderer: createPdfRenderer(),
    centreName: config.centre.nameZh,
    signatures: createSignatureRepository(sql),
    courtName: config.COURT_NAME,
  };
  // Sessions are video when LiveKit is configured; otherwise phone (a party away) or on site.
  // LiveKit's breaker: while it is open, new sessions are booked by phone, and the offer says why.
  const livekitBreaker = createBreaker({ name: "livekit", ...options.breakers });
  const scheduling: SchedulingDeps = {
    cases,
    scheduling: createSchedulingRepository(sql),
    video: !!config.livekit,
    videoDown: () => livekitBreaker.view().status === "down",
  };
  const dialogue = createDialogue({
    cases,
    scheduling,
    documents,
    // joinLinks is made below with the video service; a mediator's "open the room" asks it when pressed.
    ...(config.livekit ? { joinLinks: { url: (p: Parameters<JoinLinks["url"]>[0]) => joinLinks.url(p) } } : {}),
    classifier,
    logger,
    centre: config.centre,
    transcriber: options.transcriber ?? transcriber,
    transcribeTimeoutMs: config.SPEECH_TIMEOUT_MS,
  });

  // One claim name for this process: the worker and the inbound pipeline share it, and one keeper
  // renews every claim it holds, so another instance takes over only the work of a process that died.
  const leaseTiming = options.leases ?? {};
  const leases = createLeaseKeeper({ sql, clock, logger, owner: leaseOwner, ...leaseTiming });
  const health = createHealthRegistry();
  let poller: SingletonRole | undefined;
  let telegram: TelegramChannel | undefined;
  const lanes: NonNullable<JobWorkerDeps["lanes"]> = {};
  // The Bot API's breaker: /healthz lists it; while it is open deliveries wait in the ledger.
  const telegramBreaker = createBreaker({ name: "telegram", ...options.breakers });
  if (config.llm && !options.classifier) health.watch(modelBreaker);
  if (config.livekit) health.watch(livekitBreaker);
  if (config.speech && !options.transcriber) health.watch(speechBreaker);
  if (config.telegram) {
    health.watch(telegramBreaker);
    // grammY loads only when Telegram is configured.
    const { createTelegramChannel, TELEGRAM_UPDATE_JOB } = await import("./bot/channels/telegram/telegram-channel.js");
    // A chat's updates one after another; different chats side by side (a backlog drains in seconds).
    lanes[TELEGRAM_UPDATE_JOB] = (payload) => privateChatOf(payload.update as Update);
    telegram = createTelegramChannel({
      owner: leases.owner,
      ...config.telegram,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      dataDir: config.DATA_DIR,
      files,
      dialogue,
      dispatcher,
      sql,
      clock,
      logger,
      // One poller across instances: a named lease per bot, held by this process's claim name.
      pollerRole: (callbacks) =>
        (poller = createSingletonRole({
          lease: createNamedLease({ sql, clock, name: `telegram.poller:${config.telegram!.token.split(":")[0]}`, holder: leases.owner, ...leaseTiming }),
          clock,
          logger,
          ...leaseTiming,
          ...callbacks,
        })),
      reportHealth: health.reporter("telegram"),
      breaker: telegramBreaker,
      ...options.telegram,
    });
  }

  // Reminders of different sessions side by side (a burst due in one minute would otherwise go one job at
  // a time); each re-reads its session, and one session's reminders stay in order.
  lanes[SESSION_JOBS.remind] = (payload) => (typeof payload.sessionId === "string" ? payload.sessionId : undefined);
  // Notices of different cases side by side: one case's render does not hold up the next case's ledger writes.
  lanes[DOCUMENT_ISSUE] = (payload) => (typeof payload.caseId === "string" ? payload.caseId : undefined);

  // Video mediation: only with LiveKit configured (its SDK loads only then); without it a join link says
  // that the session does not use video.
  const joinLinks = createJoinLinks({ sql, publicBaseUrl: config.publicBaseUrl, secrets });
  let video: VideoService | null = null;
  if (config.livekit) {
    const { createLiveKitService } = await import("./video/livekit.js");
    video = createLiveKitService(config.livekit, livekitBreaker);
  }

  // The other party's invitation: a web link that needs no Telegram, and the bot's t.me link once its name is known.
  const invitations: InvitationDeps = {
    files,
    links: { web: (payload) => `${config.publicBaseUrl}/?start=${payload}`, telegram: (payload) => telegram?.deepLink(payload) },
    centre: config.centre,
    zone: config.CENTRE_TIMEZONE,
  };

  worker = createJobWorker({
    owner: leases.owner,
    sql,
    clock,
    logger,
    pollMs: config.JOB_POLL_MS,
    lanes,
    ...(leaseTiming.leaseMs ? { leaseMs: leaseTiming.leaseMs } : {}),
    handlers: {
      ...createCaseJobHandlers({ ...cases, messenger, logger }),
      ...createConsentJobHandlers({ ...cases, messenger, invitations, logger }),
      ...createMediatorJobHandlers({ ...cases, messenger }),
      ...createBookingJobHandlers({
        scheduling,
        messenger,
        files,
        localeOf: (channel, userId) => conversations.localeOf(channel, userId),
        centre: config.centre,
        manageLinks: createManageLinks({ secrets, publicBaseUrl: config.publicBaseUrl }),
        sessionNotice: (n) => issueSessionNotice(documents, n),
        ...(config.livekit ? { joinLinks, markAbsentees: (o: { sessionId: string; now: Date }) => markAbsentees({ sql }, o) } : {}),
        logger,
      }),
      ...createDocumentJobHandlers({ ...documents, ...(config.centre.dutyPhone ? { dutyPhone: config.centre.dutyPhone } : {}) }),
      ...createAgreementJobHandlers(documents),
      ...createHandoffJobHandlers({ repos, clock, zone: config.CENTRE_TIMEZONE, messenger, conversations, handoffs }),
      ...telegram?.jobHandlers,
      [PRUNE]: createPruneHandler({ sql, zone: config.CENTRE_TIMEZONE }),
    },
  });
  // Staff hear of an outside service down for long (once) and of its return.
  const outageAlerts = createOutageAlerts({
    health,
    outages: createOutageRepository(sql),
    alertAfterMs: options.outageAlerts?.alertAfterMs ?? config.OUTAGE_ALERT_MINUTES * 60_000,
    everyMs: options.outageAlerts?.everyMs,
    logger,
    notify: async (n) => {
      for (const staff of await repos.staff.active(["supervisor", "duty"])) {
        await notifyStaff({ repos: { notifications: repos.notifications, staff: repos.staff }, clock, messenger }, { dedupeKey: `${n.key}:${staff.id}`, staff, kind: n.kind, text: n.text });
      }
    },
  });
  const inFlight = new RequestsInHand();
  const app = createApp({
    logger,
    inFlight,
    trustProxy: config.TRUST_PROXY,
    health,
    healthCheck: async () => {
      await sql.query(sqlTag`SELECT 1 AS "ok"`);
    },
    routers: [
      // First: LiveKit's webhook is verified on its raw body, before any JSON parser reads it.
      createVideoRouter({
        join: {
          sql,
          secrets,
          clock,
          video,
          windowMinutes: config.JOIN_WINDOW_MINUTES,
          videoDown: () => livekitBreaker.view().status === "down",
          onVideoDown: videoDownNotice({ sql, repos, clock, messenger }),
        },
        zone: config.CENTRE_TIMEZONE,
        logger,
      }),
      ...(telegram?.router ? [telegram.router] : []),
      // Before the staff API: a template's seal image is larger than its JSON limit.
      createStaffDocumentsRouter({ documents, staffToken: config.STAFF_API_TOKEN }),
      createWebChatRouter({
        dialogue,
        conversations,
        sessions: createWebSessionRepository(sql),
        limiter: webLimits,
        exactLimiter: createRateLimiter(sql),
        limits: config.webChat,
        deliveries: createDeliveryRepository(sql),
        clock,
        logger,
        dataDir: config.DATA_DIR,
        files,
      }),
      createStaffRouter({
        repos,
        cases,
        sql,
        clock,
        staffToken: config.STAFF_API_TOKEN,
        deepLink: telegram?.deepLink,
        messenger,
        invitations,
        handoffs,
        conversations,
        deliveries: createDeliveryRepository(sql),
        onJobsDue: () => worker?.kick(),
      }),
      createManageRouter({ scheduling, secrets }),
      createDocumentsRouter(documents),
      createSchedulingRouter({
        scheduling,
        staffToken: config.STAFF_API_TOKEN,
        ...(config.livekit ? { joinLinks: { url: (p: Parameters<JoinLinks["url"]>[0]) => joinLinks.url(p) } } : {}),
      }),
    ],
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${port}`;
  await schedulePrune(sql, config.CENTRE_TIMEZONE, clock.now());
  leases.start();
  outageAlerts.start();
  // Health checks: a breaker left open finds its service back as soon as its pause is over, and the
  // services nothing calls on a quiet night are asked now and then, so /healthz (and a booking) knows.
  const checkEveryMs = options.dependencyCheckMs ?? config.DEPENDENCY_CHECK_SECONDS * 1000;
  const probes: Probe[] = [];
  if (telegram) probes.push({ breaker: telegramBreaker, ping: () => telegram!.probe() });
  if (video) probes.push({ breaker: livekitBreaker, ping: () => video!.ping(), everyMs: checkEveryMs });
  if (config.llm && !options.classifier && classifier.ping) probes.push({ breaker: modelBreaker, ping: (signal) => classifier.ping!(signal), everyMs: checkEveryMs });
  if (transcriber?.ping && !options.transcriber) probes.push({ breaker: speechBreaker, ping: (signal) => transcriber.ping!(signal), everyMs: checkEveryMs });
  const checks = startProbes(probes, { tickMs: Math.min(options.breakers?.openMs ?? 5_000, checkEveryMs) });
  if (options.startWorker !== false) {
    worker.start();
    dispatcher.start();
  }
  // PostgreSQL: a job another instance enqueues wakes this worker at once (else the next poll finds it).
  const wakeUp =
    database.kind === "postgres" && options.startWorker !== false
      ? listenForJobs({ url: config.DATABASE_URL, logger, onWake: () => worker.kick() })
      : undefined;
  await telegram?.start();
  logger.info({ url, database: config.databaseKind, classifier: config.llm ? "llm+local" : "local" }, "OneDoor started");

  return {
    config,
    sql,
    url,
    server,
    dialogue,
    worker,
    webLimits,
    dispatcher,
    messenger,
    cases,
    telegram,
    joinLinks,
    documents,
    async close(graceMs = config.SHUTDOWN_GRACE_MS) {
      // Readiness fails at once (a load balancer stops sending), and no new connection is taken.
      health.drain();
      outageAlerts.stop();
      checks.stop();
      const ends = Date.now() + graceMs;
      const left = () => Math.max(0, ends - Date.now());
      // The poll stops and its lease is released first, so another instance takes over at once.
      await within(poller?.stop() ?? Promise.resolve(), left());
      await telegram?.stop(left());
      await wakeUp?.close();
      // Turns and sends in hand get what is left of the grace period; then they are cut off.
      await Promise.all([within(worker.stop(), left()), dispatcher.stop(left())]);
      leases.stop();
      // What this process still holds goes back at once, so the next start or another instance takes it now.
      const released = await releaseClaims(sql, leases.owner, clock.now()).catch(() => 0);
      if (released > 0) logger.info({ released }, "claims released");
      // Requests being answered (a web-chat turn) finish inside the grace period; then the listener goes.
      await within(inFlight.idle(), left());
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await within(closed, 500);
      await within(webLimits.close().catch(() => undefined), 500);
      await database.close();
    },
  };
}

/**
 * The local model always loads (it is the fallback); with a model account the LLM answers first.
 * LangChain is imported only then: it costs about 40 MB of memory a township laptop need not spend.
 */
async function buildClassifier(config: Config, logger: Logger, breaker: CircuitBreaker): Promise<Classifier> {
  const local = createLocalClassifier({ modelFile: config.CLASSIFIER_MODEL_FILE });
  if (!config.llm) return local;
  const { createLlmClassifier } = await import("./classify/llm-classifier.js");
  return createLlmClassifier({ llm: config.llm, fallback: local, logger, breaker });
}

/** The `openai` SDK loads only when speech to text is configured. */
async function buildTranscriber(settings: NonNullable<Config["speech"]>): Promise<Transcriber> {
  const { createOpenAiTranscriber } = await import("./speech/openai-transcriber.js");
  return createOpenAiTranscriber(settings);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    // A .env beside the service is read when present; variables already set in the environment win.
    if (fs.existsSync(".env")) process.loadEnvFile(".env");
    config = loadConfig(process.env);
  } catch (err) {
    console.error(isAppError(err) ? err.message : err);
    process.exit(1);
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  let running: Running;
  try {
    running = await start(config, { logger });
  } catch (err) {
    logger.fatal({ err }, isAppError(err) ? err.message : "start-up failed");
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: the operator wants it gone now.
      logger.warn({ signal }, "second signal: exiting at once");
      process.exit(1);
    }
    stopping = true;
    const graceMs = config.SHUTDOWN_GRACE_MS;
    logger.info({ signal, graceMs }, "stopping");
    // The backstop: whatever hangs, the process is gone a second after the grace period.
    setTimeout(() => {
      logger.error({ graceMs }, "stop did not finish within the grace period; exiting");
      process.exit(1);
    }, graceMs + 1_000).unref();
    try {
      await running.close(graceMs);
    } catch (err) {
      logger.error({ err }, "error while stopping");
    }
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // Said only once the signals are handled: whoever waits for this line may stop it at once.
  console.log(`OneDoor is running: open ${config.publicBaseUrl}/ in a browser (web chat).`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main();
}

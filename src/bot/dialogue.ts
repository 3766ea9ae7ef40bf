import { isAppError } from "../lib/errors.js";
import { isLocale, type Locale } from "../i18n/index.js";
import { enqueueJobs } from "../jobs/job.repository.js";
import { KeyedLock } from "../lib/keyed-lock.js";
import { createConversationRepository } from "./conversation.repository.js";
import { createHandoffRepository } from "./flows/handoff/handoff.repository.js";
import { openHandoff } from "./flows/handoff/handoff.flow.js";
import type { Inbound, Reply } from "./messages.js";
import { route } from "./router.js";
import { loadState, type DialogueState } from "./state.js";
import { cleanText, MAX_TEXT_CHARS } from "./text.js";
import { menu, say, type DialogueDeps, type Turn } from "./turn.js";

export type { DialogueDeps };

export interface Dialogue {
  /** Handle one inbound message and return the replies. Never throws for the resident's input. */
  handle(inbound: Inbound): Promise<Reply>;
}

function localeFromHint(hint?: string): Locale {
  if (!hint) return "zh-CN";
  return hint.toLowerCase().startsWith("en") ? "en" : "zh-CN";
}

const MAX_SAVE_ATTEMPTS = 3;
/** Misunderstood messages in a row before a person is brought in. */
const MISSES_BEFORE_HANDOFF = 2;

export function createDialogue(deps: DialogueDeps): Dialogue {
  const conversations = createConversationRepository(deps.cases.sql);
  const handoffs = createHandoffRepository(deps.cases.sql);
  const repos = { conversations, handoffs };
  const lock = new KeyedLock();
  const { clock } = deps.cases;

  function newTurn(inbound: Inbound, state: DialogueState, locale: Locale): Turn {
    // Every text is cut to the length kept before anything reads or stores it (the transcript too).
    const raw = cleanText(inbound.text);
    const text = raw.slice(0, MAX_TEXT_CHARS);
    const turn: Turn = {
      deps,
      repos,
      inbound: raw.length > MAX_TEXT_CHARS ? { ...inbound, text } : { ...inbound },
      state,
      locale,
      now: clock.now(),
      text,
      out: [],
      jobs: [],
      effects: [],
      carry: [],
      understood: true,
    };
    if (raw.length > MAX_TEXT_CHARS) say(turn, "tooLong", { max: MAX_TEXT_CHARS });
    return turn;
  }

  async function runTurn(turn: Turn, staff: Parameters<typeof route>[1]): Promise<void> {
    const before = JSON.stringify(turn.state);
    try {
      await route(turn, staff);
      if (turn.understood) turn.state.misses = 0;
      else if (++turn.state.misses >= MISSES_BEFORE_HANDOFF && !turn.state.handoff && !staff) {
        // Two misunderstandings in a row: a person takes over instead of a third menu.
        turn.out = [];
        say(turn, "handoff.misunderstood");
        openHandoff(turn, "misunderstood");
      }
    } catch (err) {
      // The error boundary: the resident gets a clear answer, the state stays as it was, and the
      // message itself is still written to the transcript.
      turn.state = JSON.parse(before) as DialogueState;
      turn.out = [];
      turn.jobs = [];
      turn.effects = [];
      if (isAppError(err) && err.userMessage) {
        say(turn, err.userMessage as Parameters<typeof say>[1], {}, menu(turn));
      } else {
        deps.logger.error({ err, channel: turn.inbound.channel, flow: turn.state.active }, "dialogue turn failed");
        say(turn, "error.generic", {}, menu(turn));
      }
    }
  }

  async function handleLocked(inbound: Inbound): Promise<Reply> {
    const receiptKey = inbound.messageId ? `${inbound.channel}:${inbound.messageId}` : undefined;
    for (let attempt = 1; ; attempt++) {
      const { conversation: existing, earlier, staff } = await conversations.loadTurn(inbound.channel, inbound.userId, receiptKey);
      if (earlier) return { messages: earlier };
      const loaded = loadState(existing?.state);
      const locale = existing && isLocale(existing.locale) ? existing.locale : localeFromHint(inbound.localeHint);
      const turn = newTurn(inbound, loaded.state, locale);
      if ("lost" in loaded) {
        // Never a silent reset: logged for the engineers, and the resident told.
        deps.logger.warn({ channel: inbound.channel, ...loaded.lost }, "stored dialogue state could not be read; started over");
        say(turn, "stateLost");
      } else if (loaded.migratedFrom !== undefined) {
        deps.logger.info({ channel: inbound.channel, from: loaded.migratedFrom }, "dialogue state migrated");
      }
      await runTurn(turn, staff);
      try {
        const jobs = turn.jobs;
        const transcriptId = await conversations.saveTurn({
          existing,
          channel: inbound.channel,
          userId: inbound.userId,
          locale: turn.locale,
          state: JSON.stringify(turn.state),
          inbound: turn.inbound,
          outbound: turn.out,
          receiptKey,
          now: turn.now,
          effects: [...turn.effects, ...(jobs.length ? [(tx: Parameters<(typeof turn.effects)[number]>[0]) => enqueueJobs(tx, jobs, turn.now)] : [])],
        });
        if (jobs.some((j) => j.dueAt.getTime() <= turn.now.getTime())) deps.cases.onJobsDue?.();
        return { messages: turn.out, transcriptId, locale: turn.locale, ...(turn.becameStaff ? { becameStaff: true } : {}) };
      } catch (err) {
        // Another process handled a message of this user meanwhile: run the turn again on fresh state.
        // (Opening a case is idempotent through the draft's intake key, so a rerun opens nothing twice.)
        if (isAppError(err, "CONFLICT") && attempt < MAX_SAVE_ATTEMPTS) continue;
        if (receiptKey && attempt < MAX_SAVE_ATTEMPTS) {
          const earlierReplies = await conversations.findReceipt(receiptKey);
          if (earlierReplies) return { messages: earlierReplies };
        }
        throw err;
      }
    }
  }

  return {
    handle(inbound) {
      return lock.run(`${inbound.channel}:${inbound.userId}`, () => handleLocked(inbound));
    },
  };
}

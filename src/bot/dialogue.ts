import { isAppError } from "../lib/errors.js";
import { isLocale, t, type Locale } from "../i18n/index.js";
import { KeyedLock } from "../lib/keyed-lock.js";
import { isOpen } from "../cases/lifecycle.js";
import type { LinkedStaff } from "../cases/link-staff.js";
import { listCasesForUser } from "../cases/list-cases.js";
import { handleGlobalButton, inIntake, parseCommand, runCommand } from "./commands.js";
import { createConversationRepository } from "./conversation.repository.js";
import { handleDeepLink } from "./deep-links.js";
import { handleIntakeStep, receiveFile, refuseFile, startIntake } from "./intake.js";
import { handleMediatorTurn } from "./mediator.js";
import type { Inbound, Reply } from "./messages.js";
import { parseState } from "./state.js";
import { cleanText, hasWords } from "./text.js";
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

export function createDialogue(deps: DialogueDeps): Dialogue {
  const repo = createConversationRepository(deps.cases.sql);
  const lock = new KeyedLock();
  const { clock } = deps.cases;

  async function route(turn: Turn, staff: LinkedStaff | null): Promise<void> {
    const { inbound } = turn;
    // A deep link that was not handled has been answered; the normal start follows.
    if (inbound.startPayload !== undefined && (await handleDeepLink(turn))) return;
    if (staff) return handleMediatorTurn(turn, staff);
    if (inbound.startPayload !== undefined) return runCommand(turn, "start");

    const parsed = parseCommand(turn);
    if (parsed && "command" in parsed) return runCommand(turn, parsed.command);
    if (parsed && "unknown" in parsed) return say(turn, "unknownCommand", {}, menu(turn));

    if (await handleGlobalButton(turn)) return;
    if (turn.state.step === "confirm_cancel" || turn.state.step === "confirm_withdraw") {
      // Anything but the confirmation means "no": back to where they were.
      turn.state.step = turn.state.resumeStep ?? "idle";
      turn.state.resumeStep = undefined;
      turn.state.withdrawCode = undefined;
    }

    if (inbound.fileRefused) return refuseFile(turn);
    if (inbound.file) {
      const cases = await listCasesForUser(deps.cases.db, inbound.channel, inbound.userId);
      return receiveFile(turn, cases.find((c) => isOpen(c.status)) ?? null);
    }

    if (inIntake(turn) && (await handleIntakeStep(turn))) return;

    // Not in an intake. A story typed from the idle menu starts one with that story; consent comes first.
    const text = cleanText(inbound.text);
    if (text && hasWords(text) && !inbound.button) {
      startIntake(turn);
      if (turn.state.step === "consent") {
        turn.state.pendingText = text;
        return;
      }
      turn.out = [];
      await handleIntakeStep(turn);
      return;
    }
    if (turn.state.step === "start") return startIntake(turn);
    say(turn, text || inbound.button ? "idle" : "describe.empty", {}, menu(turn));
  }

  async function handleLocked(inbound: Inbound): Promise<Reply> {
    const receiptKey = inbound.messageId ? `${inbound.channel}:${inbound.messageId}` : undefined;
    for (let attempt = 1; ; attempt++) {
      const { conversation: existing, earlier, staff } = await repo.loadTurn(inbound.channel, inbound.userId, receiptKey);
      if (earlier) return { messages: earlier };
      const turn: Turn = {
        deps,
        inbound,
        state: parseState(existing?.state),
        locale: existing && isLocale(existing.locale) ? existing.locale : localeFromHint(inbound.localeHint),
        now: clock.now(),
        out: [],
      };
      const before = JSON.stringify(turn.state);
      try {
        await route(turn, staff);
      } catch (err) {
        // The error boundary: the resident gets a clear answer, the state stays as it was, and the
        // message itself is still written to the transcript below.
        turn.state = parseState(before);
        turn.out = [];
        if (isAppError(err) && err.userMessage) {
          turn.out.push({ kind: "text", text: t(turn.locale, err.userMessage as never) });
        } else {
          deps.logger.error({ err, channel: inbound.channel, step: turn.state.step }, "dialogue turn failed");
          say(turn, "error.generic", {}, menu(turn));
        }
      }
      try {
        const transcriptId = await repo.saveTurn({
          existing,
          channel: inbound.channel,
          userId: inbound.userId,
          locale: turn.locale,
          state: JSON.stringify(turn.state),
          inbound,
          outbound: turn.out,
          receiptKey,
          now: turn.now,
        });
        return { messages: turn.out, transcriptId, ...(turn.becameStaff ? { becameStaff: true } : {}) };
      } catch (err) {
        // Another process handled a message of this user meanwhile: run the turn again on fresh state.
        // (Opening a case is idempotent through the draft's intake key, so a rerun opens nothing twice.)
        if (isAppError(err, "CONFLICT") && attempt < MAX_SAVE_ATTEMPTS) continue;
        if (receiptKey && attempt < MAX_SAVE_ATTEMPTS) {
          const earlier = await repo.findReceipt(receiptKey);
          if (earlier) return { messages: earlier };
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

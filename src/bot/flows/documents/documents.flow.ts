import { answerPerformance, PERFORMANCE_PREFIX } from "../../../documents/agreement-jobs.js";
import { docText, type DocumentTextKey } from "../../../documents/documents.texts.js";
import { documentsOfChat, withdrawServiceConsent } from "../../../documents/my-documents.js";
import { acknowledgeDocument } from "../../../documents/open-document.js";
import { ACK_PREFIX, documentName } from "../../../documents/serve-document.js";
import { enterSigningCode, requestSigningCode, SIGN_PREFIX, type CodeEntry } from "../../../documents/sign-agreement.js";
import { formatLocal } from "../../../lib/time.js";
import { menu, sayText, type Turn } from "../../turn.js";

const say = (turn: Turn, key: DocumentTextKey, params: Record<string, string | number> = {}, withMenu = false) =>
  sayText(turn, docText(turn.locale, key, params), withMenu ? menu(turn) : undefined);

/**
 * The buttons under a served document: 收到 records the acknowledgement on this chat's delivery of it
 * (what the proof of service prints); 签署 sends a one-time code for that agreement version; the
 * performance question's 做到了 / 还没有. Pressed twice, each says so and records nothing new.
 */
export async function handleDocumentButton(turn: Turn): Promise<boolean> {
  const b = turn.inbound.button ?? "";
  const me = { channel: turn.inbound.channel, recipient: turn.inbound.userId };
  const documents = turn.deps.documents;
  if (b.startsWith(ACK_PREFIX)) {
    const result = documents ? await acknowledgeDocument(documents, { documentId: b.slice(ACK_PREFIX.length), ...me }) : ({ kind: "unknown" } as const);
    if (result.kind === "unknown") {
      say(turn, "ackUnknown", {}, true);
      return true;
    }
    const name = documentName(turn.locale, result.document);
    if (result.kind === "before") {
      say(turn, "ackedBefore", { name });
      return true;
    }
    say(turn, "acked", { name, code: result.code, when: formatLocal(result.at, turn.deps.cases.zone, turn.locale) });
    return true;
  }
  if (b.startsWith(SIGN_PREFIX)) {
    const result = documents ? await requestSigningCode(documents, { documentId: b.slice(SIGN_PREFIX.length), ...me }) : ({ kind: "unknown" } as const);
    if (result.kind === "sent") {
      turn.state.signing = { documentId: result.documentId, until: result.expiresAt.toISOString() };
      say(turn, "sign.askCode");
      return true;
    }
    signingRefused(turn, result);
    return true;
  }
  if (b.startsWith(PERFORMANCE_PREFIX)) {
    const [answer, documentId, term] = b.slice(PERFORMANCE_PREFIX.length).split(":");
    const result = documents && documentId
      ? await answerPerformance(documents, { documentId, term: Number(term), done: answer === "y", ...me })
      : ({ kind: "unknown" } as const);
    if (result.kind === "unknown") {
      say(turn, "sign.unknown", {}, true);
      return true;
    }
    say(turn, result.kind === "before" ? "perf.before" : result.kind === "done" ? "perf.thanks" : "perf.told");
    return true;
  }
  return false;
}

/**
 * Six digits typed while a signing code is out: that code. Anything else goes on to the dialogue (a
 * question, "cancel"), and the code stays valid until it expires.
 */
export async function handleSigningCode(turn: Turn): Promise<boolean> {
  const signing = turn.state.signing;
  const code = turn.text.replace(/\s+/g, "");
  if (!signing || !/^\d{6}$/.test(code)) return false;
  const documents = turn.deps.documents;
  if (!documents) return false;
  const result = await enterSigningCode(documents, { documentId: signing.documentId, channel: turn.inbound.channel, recipient: turn.inbound.userId, code });
  if (result.kind === "wrong") {
      say(turn, "sign.wrong", { left: result.left });
      return true;
    }
  turn.state.signing = undefined;
  if (result.kind === "signed") {
    say(turn, result.final ? "sign.allDone" : "sign.done", { when: formatLocal(result.at, result.zone, turn.locale) });
    return true;
  }
  signingRefused(turn, result);
  return true;
}

function signingRefused(turn: Turn, result: Exclude<CodeEntry, { kind: "signed" | "wrong" }>): void {
  switch (result.kind) {
    case "superseded":
      return say(turn, "sign.superseded", { version: result.latest.version });
    case "signed_before":
      return say(turn, "sign.before");
    case "locked":
    case "locked_now":
      return say(turn, "sign.locked", {}, true);
    case "expired":
      return say(turn, "sign.expired");
    case "unknown":
      return say(turn, "sign.unknown", {}, true);
  }
}

/** "我的文书": each document this chat was served, its current version, with a fresh download link. */
export async function showMyDocuments(turn: Turn): Promise<void> {
  const documents = turn.deps.documents;
  const mine = documents ? await documentsOfChat(documents, { channel: turn.inbound.channel, recipient: turn.inbound.userId }) : [];
  if (mine.length === 0) return say(turn, "mine.none", {}, true);
  say(turn, "mine.list", { days: documents!.linkDays });
  for (const d of mine.slice(0, 8)) {
    turn.out.push({
      kind: "link",
      text: docText(turn.locale, "mine.item", {
        name: documentName(turn.locale, d.document),
        code: d.code,
        when: formatLocal(d.servedAt, turn.deps.cases.zone, turn.locale),
        acked: d.acknowledgedAt ? docText(turn.locale, "mine.acked") : "",
      }),
      url: d.link,
    });
  }
}

/** "要纸质文书": consent to e-service withdrawn for this chat's open cases; their staff are told. */
export async function servePaperInstead(turn: Turn): Promise<void> {
  const documents = turn.deps.documents;
  const codes = documents ? await withdrawServiceConsent(documents, { channel: turn.inbound.channel, recipient: turn.inbound.userId }) : [];
  if (codes.length === 0) return say(turn, "paper.none", {}, true);
  say(turn, "paper.done", { codes: codes.join("、") });
}

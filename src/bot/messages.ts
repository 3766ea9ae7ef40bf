/**
 * The channel-neutral message shapes. A channel adapter turns its update into an Inbound and renders
 * each Outbound; the dialogue never sees Telegram, WeCom or HTTP.
 */

export interface InboundFile {
  kind: "photo" | "voice" | "document";
  mime: string;
  size: number;
  sha256: string;
  /** Where the channel adapter stored the bytes (under DATA_DIR). */
  storagePath: string;
  name?: string;
}

export interface Inbound {
  channel: string;
  /** The user's stable id on the channel (Telegram chat id, web session, WeCom userid). */
  userId: string;
  /** The channel's id of this delivery; a repeated delivery with the same id gets the first answer again. */
  messageId?: string;
  text?: string;
  /** Data of a pressed button. */
  button?: string;
  /** The pressed button's label, kept for the transcript only. */
  buttonLabel?: string;
  file?: InboundFile;
  /** A file the channel would not take (checked before or while downloading); the dialogue says why. */
  fileRefused?: { reason: "too_large" | "bad_type"; limitBytes: number };
  /** Set by the dialogue when `text` came from a voice note through speech to text. */
  transcribed?: boolean;
  /** The user's language as the channel reports it (Telegram language_code, Accept-Language). */
  localeHint?: string;
  /** The name the channel shows for the user, if any. */
  displayName?: string;
  /** Deep-link payload (/start <payload>, a QR code). */
  startPayload?: string;
  /** The IANA zone the user's device is set to, where the channel knows it (the web page does): a first guess for showing times. */
  timeZoneHint?: string;
}

export interface Button {
  label: string;
  data: string;
}

export type Outbound =
  /**
   * `copyText`: a value inside `text` the resident will want to copy (the case code): channels show it
   * unbroken and copyable (a copy button on the web, a code span on Telegram).
   */
  | { kind: "text"; text: string; buttons?: Button[][]; copyText?: string }
  | { kind: "link"; text: string; url: string }
  /** `ref`: the file in the file store ("documents/<sha256>"); each channel reads the bytes from there. */
  | { kind: "file"; name: string; mime: string; ref: string; caption?: string };

/** What the dialogue answers: the replies, and where the transcript stands after them. */
export interface Reply {
  messages: Outbound[];
  /** The transcript number (`seq`) of the last message written by this turn; absent for a repeated delivery. */
  transcriptId?: number;
  /** The conversation's language after this turn (a channel's page chrome follows it). */
  locale?: "zh-CN" | "en";
  /** The user became centre staff in this turn: a channel with a command menu per user shows theirs. */
  becameStaff?: boolean;
}

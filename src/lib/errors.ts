/**
 * Error codes the application throws. Only the HTTP error middleware and the bot's error boundary
 * translate them into responses; everything else just throws.
 */
export type ErrorCode =
  /** Input failed validation at an edge (HTTP body, chat message, model output). */
  | "BAD_INPUT"
  /** A case status change the lifecycle does not allow. */
  | "ILLEGAL_TRANSITION"
  /** The thing asked for does not exist (or is not yours to see). */
  | "NOT_FOUND"
  /** Missing or wrong credentials, signature or webhook secret. */
  | "UNAUTHORIZED"
  /** The actor is known but may not do this (a case outside their room, a step that is not their role's). */
  | "FORBIDDEN"
  /** Someone else changed the same row first; the caller may retry. */
  | "CONFLICT"
  /** An outside service (model server, Bot API) failed or timed out. */
  | "UPSTREAM"
  /** Configuration is missing or invalid; start-up stops. */
  | "CONFIG"
  /** A message or file over a size limit. */
  | "TOO_LARGE"
  /** The session time asked for has gone (booked or held by someone else, or the day is full). */
  | "SLOT_TAKEN"
  /** Too close to a session's start for this change (the minimum notice); a mediator may override. */
  | "TOO_LATE"
  /** A bug: something that should not happen. */
  | "INTERNAL";

const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  ILLEGAL_TRANSITION: 409,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  UPSTREAM: 502,
  CONFIG: 500,
  TOO_LARGE: 413,
  SLOT_TAKEN: 409,
  TOO_LATE: 409,
  INTERNAL: 500,
};

export interface AppErrorOptions {
  /** i18n key of a message that may be shown to the user. */
  userMessage?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage?: string;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.userMessage = options.userMessage;
    this.details = options.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

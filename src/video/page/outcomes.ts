// What the join page says when LiveKit ends its connection, by the name of LiveKit's DisconnectReason.
// Pure (no DOM, no SDK), so the choices are tested without a browser.

export type Outcome =
  /** The person pressed "leave". */
  | "left"
  /** The same link was opened on another device: LiveKit lets one connection per identity, the newest. */
  | "takenOver"
  /** The mediator closed the room, removed this person, or the room ended. */
  | "roomClosed"
  /** Anything else: the network, the server going away. Retrying may help. */
  | "connectFailed";

export function disconnectOutcome(reason: string | undefined): Outcome {
  switch (reason) {
    case "CLIENT_INITIATED":
      return "left";
    case "DUPLICATE_IDENTITY":
      return "takenOver";
    case "ROOM_DELETED":
    case "PARTICIPANT_REMOVED":
    case "ROOM_CLOSED":
      return "roomClosed";
    default:
      return "connectFailed";
  }
}

/** "01:02:03", or "2 天 01:02:03" / "2 d 01:02:03" past a day; never negative. */
export function countdownText(ms: number, dayWord: string): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days > 0 ? `${days} ${dayWord} ${clock}` : clock;
}

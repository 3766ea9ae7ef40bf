import type { ParticipantRole } from "./attendance.repository.js";

/** What a participant may do in the room (LiveKit's video grant, less the room and join that every token has). */
export interface RoleGrants {
  roomAdmin: boolean;
  canPublish: boolean;
  canSubscribe: boolean;
  canPublishData: boolean;
}

/**
 * The mediator runs the room (mute, remove); the parties and an interpreter speak and hear; an observer
 * (a trainee, a supervisor sitting in) only hears and sees, and is not hidden from the parties.
 */
export function grantsFor(role: ParticipantRole): RoleGrants {
  switch (role) {
    case "mediator":
      return { roomAdmin: true, canPublish: true, canSubscribe: true, canPublishData: true };
    case "claimant":
    case "respondent":
    case "interpreter":
      return { roomAdmin: false, canPublish: true, canSubscribe: true, canPublishData: true };
    default:
      // An observer, or a role this release does not know: the least it may do.
      return { roomAdmin: false, canPublish: false, canSubscribe: true, canPublishData: false };
  }
}

import { linkPartyByInvite } from "../cases/link-party.js";
import { linkStaffByInvite } from "../cases/link-staff.js";
import { startRespond } from "./flows/respond/respond.flow.js";
import { showCase } from "./flows/status/status.flow.js";
import { showQueue } from "./mediator.js";
import { menu, say, type Turn } from "./turn.js";

/**
 * Deep-link payloads (Telegram /start <payload>, a QR code on a notice, a web link), channel-neutral:
 *   c_<caseCode>  show that case to a party of it (a code alone proves nothing, so others are told no)
 *   r_<token>     a party invitation (the respondent, usually): this chat joins the case as that party
 *   m_<code>      a staff invite: this chat becomes the staff member's (single use, expires)
 * Returns true when the payload was handled; false means "answered why not, now do the normal start".
 */
export async function handleDeepLink(turn: Turn): Promise<boolean> {
  const payload = (turn.inbound.startPayload ?? "").trim();
  const { inbound } = turn;
  const deps = turn.deps.cases;
  if (payload === "") return false;

  const [, kind, value] = payload.match(/^([a-z])_([A-Za-z0-9_-]{1,62})$/) ?? [];
  if (kind === "m" && value) {
    const result = await linkStaffByInvite(deps, { code: value, channel: inbound.channel, channelUserId: inbound.userId });
    if ("error" in result) {
      say(turn, result.error === "taken" ? "deepLink.inviteTaken" : "deepLink.inviteInvalid");
      return false;
    }
    turn.state.active = "idle";
    turn.state.intake = undefined;
    turn.becameStaff = true;
    say(turn, "mediator.linked", { name: result.linked.name });
    await showQueue(turn, result.linked);
    return true;
  }

  if (kind === "r" && value) {
    // The claimant tapping the link they are to forward must not become the other side of their own case.
    const pending = await deps.repos.parties.pendingInvite(value, turn.now);
    if (pending && (await deps.repos.parties.ofCase(pending.caseId)).some((p) => p.role === "claimant" && p.channel === inbound.channel && p.channelUserId === inbound.userId)) {
      turn.state.greeted = true;
      say(turn, "respond.ownInvite", {}, menu(turn));
      return true;
    }
    const result = await linkPartyByInvite(deps, {
      token: value,
      channel: inbound.channel,
      channelUserId: inbound.userId,
      name: inbound.displayName,
    });
    if ("error" in result) {
      say(turn, "deepLink.partyInvalid");
      return false;
    }
    await startRespond(turn, { id: result.linked.caseId, code: result.linked.caseCode, type: result.linked.caseType, partyId: result.linked.partyId });
    return true;
  }

  if (kind === "c" && value) {
    turn.state.greeted = true;
    await showCase(turn, value);
    return true;
  }

  say(turn, "deepLink.invalid");
  return false;
}

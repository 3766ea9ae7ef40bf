import type { StaffRecipient } from "../jobs/notify-staff.js";
import type { StaffRepository } from "./staff.repository.js";
import type { CaseRecord } from "./case.repository.js";

/**
 * Who at the centre answers for a case now: its mediator while still active; else the mediators and
 * staff of its room; else, with nobody left there, the duty desk and the supervisors. Never nobody
 * while the centre has anyone: a 催办 or a document to serve on paper must reach a person.
 */
export async function caseOwners(staff: Pick<StaffRepository, "byId" | "active">, c: Pick<CaseRecord, "mediatorId" | "roomId">): Promise<StaffRecipient[]> {
  const mediator = c.mediatorId ? await staff.byId(c.mediatorId) : null;
  if (mediator?.active) return [mediator];
  const room = c.roomId ? await staff.active(["mediator", "staff"], c.roomId) : [];
  return room.length > 0 ? room : staff.active(["duty", "supervisor"]);
}

import { join, sql, type Sql } from "../db/sql.js";
import { newId } from "../lib/ids.js";
import type { PartyRole } from "./types.js";

/** A party of a case. The invitation token is never read back: only `inviteExpiresAt` says one is pending. */
export interface PartyRecord {
  id: string;
  caseId: string;
  role: PartyRole;
  name: string | null;
  contact: string | null;
  /** The chat channel the party talks to us on, and their id there (their identity: keep it internal). */
  channel: string | null;
  channelUserId: string | null;
  /** 送达地址: where documents may be served (chat | sms | post). */
  serviceChannel: string | null;
  serviceAddress: string | null;
  away: boolean;
  consentAt: Date | null;
  inviteExpiresAt: Date | null;
  /** Mediation is voluntary (自愿): null until the party answers. */
  mediationConsent: MediationConsent | null;
  mediationConsentAt: Date | null;
  mediationConsentVia: ConsentVia | null;
  /** When they can meet, as stored: `{"presets": [...]}` (scheduling/availability-presets.ts); null = not given yet. */
  availability: string | null;
  /** IANA zone they see times in; null = the centre's. */
  timeZone: string | null;
  preferLanguage: string | null;
  createdAt: Date;
}

export type MediationConsent = "accepted" | "declined";
/** How an answer was given: in the chat, by phone (staff recorded it), or by filing (the claimant). */
export type ConsentVia = "chat" | "phone" | "intake";

type ConsentFields = "mediationConsent" | "mediationConsentAt" | "mediationConsentVia" | "availability" | "timeZone" | "preferLanguage";
export type NewParty = Omit<PartyRecord, "inviteExpiresAt" | ConsentFields> & Partial<Pick<PartyRecord, ConsentFields>>;

const PARTY_COLUMNS = sql`"id", "caseId", "role", "name", "contact", "channel", "channelUserId", "serviceChannel", "serviceAddress",
  "away", "consentAt", "inviteExpiresAt", "mediationConsent", "mediationConsentAt", "mediationConsentVia", "availability",
  "timeZone", "preferLanguage", "createdAt"`;

/** Parties of cases: recorded at intake, invited by staff, linked to a chat by their invitation. Plain SQL on the port. */
export function createPartyRepository(db: Sql) {
  return {
    async ofCase(caseId: string, tx: Sql = db): Promise<PartyRecord[]> {
      return tx.query<PartyRecord>(sql`SELECT ${PARTY_COLUMNS} FROM "Party" WHERE "caseId" = ${caseId} ORDER BY "createdAt", "id"`);
    },

    async byId(id: string, tx: Sql = db): Promise<PartyRecord | null> {
      const [row] = await tx.query<PartyRecord>(sql`SELECT ${PARTY_COLUMNS} FROM "Party" WHERE "id" = ${id}`);
      return row ?? null;
    },

    async insert(tx: Sql, parties: NewParty[]): Promise<void> {
      if (parties.length === 0) return;
      await tx.execute(sql`
        INSERT INTO "Party" ("id", "caseId", "role", "name", "contact", "channel", "channelUserId", "serviceChannel",
          "serviceAddress", "away", "consentAt", "mediationConsent", "mediationConsentAt", "mediationConsentVia", "createdAt")
        VALUES ${join(
          parties.map(
            (p) => sql`(${p.id}, ${p.caseId}, ${p.role}, ${p.name}, ${p.contact}, ${p.channel}, ${p.channelUserId},
              ${p.serviceChannel}, ${p.serviceAddress}, ${p.away}, ${p.consentAt}, ${p.mediationConsent ?? null},
              ${p.mediationConsentAt ?? null}, ${p.mediationConsentVia ?? null}, ${p.createdAt})`,
          ),
        )}`);
    },

    /**
     * Puts an invitation on the case's first party of this role that has no chat yet (replacing an
     * earlier invitation of theirs), or on a new party of the role. Returns the party's id. The update is
     * conditional on the party still having no chat, so a party who has just linked keeps their chat.
     * Run it after `cases.touch` in the same transaction, so two invitations of one case do not both
     * find no party and add two.
     */
    async invite(tx: Sql, i: { caseId: string; role: PartyRole; token: string; expiresAt: Date; now: Date }): Promise<string> {
      const [existing] = await tx.query<{ id: string }>(sql`
        UPDATE "Party" SET "inviteToken" = ${i.token}, "inviteExpiresAt" = ${i.expiresAt}
        WHERE "id" = (
            SELECT "id" FROM "Party" WHERE "caseId" = ${i.caseId} AND "role" = ${i.role} AND "channelUserId" IS NULL
            ORDER BY "createdAt", "id" LIMIT 1)
          AND "channelUserId" IS NULL
        RETURNING "id"`);
      if (existing) return existing.id;
      const id = newId();
      await tx.execute(sql`
        INSERT INTO "Party" ("id", "caseId", "role", "inviteToken", "inviteExpiresAt", "createdAt")
        VALUES (${id}, ${i.caseId}, ${i.role}, ${i.token}, ${i.expiresAt}, ${i.now})`);
      return id;
    },

    /**
     * Uses an invitation: the party gets this chat and the token is cleared, in one conditional update,
     * so of two chats racing with one token exactly one links. Null when the token is unknown, used or
     * expired (see `inviteExpiry` to tell which).
     */
    async claimInvite(
      tx: Sql,
      c: { token: string; now: Date; channel: string; channelUserId: string; name: string | null },
    ): Promise<{ id: string; caseId: string; role: PartyRole } | null> {
      const [row] = await tx.query<{ id: string; caseId: string; role: PartyRole }>(sql`
        UPDATE "Party" SET "inviteToken" = NULL, "inviteExpiresAt" = NULL, "channel" = ${c.channel},
          "channelUserId" = ${c.channelUserId}, "serviceChannel" = COALESCE("serviceChannel", 'chat'),
          "name" = COALESCE("name", ${c.name})
        WHERE "inviteToken" = ${c.token} AND "inviteExpiresAt" > ${c.now}
        RETURNING "id", "caseId", "role"`);
      return row ?? null;
    },

    /** The expiry of a pending invitation; null when no party holds this token. */
    async inviteExpiry(token: string): Promise<{ expiresAt: Date | null } | null> {
      const [row] = await db.query<{ inviteExpiresAt: Date | null }>(sql`
        SELECT "inviteExpiresAt" FROM "Party" WHERE "inviteToken" = ${token}`);
      return row ? { expiresAt: row.inviteExpiresAt } : null;
    },

    /** The case and party a pending (unused, unexpired) invitation is for; null otherwise. */
    async pendingInvite(token: string, now: Date): Promise<{ caseId: string; partyId: string; role: PartyRole } | null> {
      const [row] = await db.query<{ caseId: string; partyId: string; role: PartyRole }>(sql`
        SELECT "caseId", "id" AS "partyId", "role" FROM "Party" WHERE "inviteToken" = ${token} AND "inviteExpiresAt" > ${now}`);
      return row ?? null;
    },

    /**
     * Records a party's answer to the invitation to mediate, if it is not that answer already: one
     * conditional update on the answer read before it, so of two answers at once one wins and the
     * other finds the row changed (false).
     */
    async setConsent(
      tx: Sql,
      c: { partyId: string; answer: MediationConsent; at: Date; via: ConsentVia; previous: MediationConsent | null },
    ): Promise<boolean> {
      const rows = await tx.query<{ id: string }>(sql`
        UPDATE "Party" SET "mediationConsent" = ${c.answer}, "mediationConsentAt" = ${c.at}, "mediationConsentVia" = ${c.via}
        WHERE "id" = ${c.partyId} AND COALESCE("mediationConsent", '') = ${c.previous ?? ""} AND COALESCE("mediationConsent", '') <> ${c.answer}
        RETURNING "id"`);
      return rows.length > 0;
    },

    /** When the party can meet (the stored JSON) and, when given, the zone they read times in (null = the centre's). */
    async setMeetingPrefs(tx: Sql, p: { partyId: string; availability?: string; timeZone?: string | null; preferLanguage?: string | null }): Promise<void> {
      await tx.execute(sql`
        UPDATE "Party" SET
          "availability" = ${p.availability === undefined ? sql`"availability"` : sql`${p.availability}`},
          "timeZone" = ${p.timeZone === undefined ? sql`"timeZone"` : sql`${p.timeZone}`},
          "preferLanguage" = ${p.preferLanguage === undefined ? sql`"preferLanguage"` : sql`${p.preferLanguage}`}
        WHERE "id" = ${p.partyId}`);
    },

    /**
     * 送达地址: this chat's parties in open cases are served on paper from now on (they withdrew
     * consent to e-service). Returns the parties changed.
     */
    async servePaperFor(channel: string, userId: string): Promise<{ id: string; caseId: string }[]> {
      return db.query<{ id: string; caseId: string }>(sql`
        UPDATE "Party" SET "serviceChannel" = 'post'
        WHERE "channel" = ${channel} AND "channelUserId" = ${userId} AND ("serviceChannel" IS NULL OR "serviceChannel" <> 'post')
          AND "caseId" IN (SELECT "id" FROM "Case" WHERE "status" IN ('received', 'routed', 'in_mediation'))
        RETURNING "id", "caseId"`);
    },

    /** The name and phone this chat user gave on their latest case, if any: how staff can reach them. */
    async latestContact(channel: string, userId: string): Promise<{ name: string | null; contact: string | null } | null> {
      const [row] = await db.query<{ name: string | null; contact: string | null }>(sql`
        SELECT "name", "contact" FROM "Party" WHERE "channel" = ${channel} AND "channelUserId" = ${userId}
        ORDER BY "createdAt" DESC LIMIT 1`);
      return row ?? null;
    },
  };
}

export type PartyRepository = ReturnType<typeof createPartyRepository>;

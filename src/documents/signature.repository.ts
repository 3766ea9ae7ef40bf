import { sql, type Sql } from "../db/sql.js";
import { newId } from "../lib/ids.js";

export interface SignatureRecord {
  documentId: string;
  partyId: string;
  signedAt: Date;
  channel: string;
  recipient: string;
}

export interface SigningCodeRecord {
  id: string;
  codeHash: string;
  expiresAt: Date;
  failures: number;
  usedAt: Date | null;
  lockedAt: Date | null;
  createdAt: Date;
}

/** Signatures on agreement versions and the one-time codes that give them. Plain SQL on the port. */
export function createSignatureRepository(db: Sql) {
  return {
    async ofDocument(documentId: string, tx: Sql = db): Promise<SignatureRecord[]> {
      return tx.query<SignatureRecord>(sql`
        SELECT "documentId", "partyId", "signedAt", "channel", "recipient" FROM "Signature"
        WHERE "documentId" = ${documentId} ORDER BY "signedAt", "id"`);
    },

    /** Records a signature; false if this party had signed this version already (two codes racing). */
    async sign(tx: Sql, s: SignatureRecord): Promise<boolean> {
      const added = await tx.execute(sql`
        INSERT INTO "Signature" ("id", "documentId", "partyId", "signedAt", "channel", "recipient")
        VALUES (${newId()}, ${s.documentId}, ${s.partyId}, ${s.signedAt}, ${s.channel}, ${s.recipient})
        ON CONFLICT DO NOTHING`);
      return added > 0;
    },

    /** The party's codes for this version, newest first. */
    async codes(documentId: string, partyId: string, tx: Sql = db): Promise<SigningCodeRecord[]> {
      return tx.query<SigningCodeRecord>(sql`
        SELECT "id", "codeHash", "expiresAt", "failures", "usedAt", "lockedAt", "createdAt" FROM "SigningCode"
        WHERE "documentId" = ${documentId} AND "partyId" = ${partyId} ORDER BY "createdAt" DESC, "id" DESC`);
    },

    async addCode(c: { id: string; documentId: string; partyId: string; codeHash: string; expiresAt: Date; now: Date }): Promise<void> {
      await db.execute(sql`
        INSERT INTO "SigningCode" ("id", "documentId", "partyId", "codeHash", "expiresAt", "createdAt")
        VALUES (${c.id}, ${c.documentId}, ${c.partyId}, ${c.codeHash}, ${c.expiresAt}, ${c.now})`);
    },

    /** Uses the code, once: false when another entry used it first. */
    async useCode(tx: Sql, id: string, now: Date): Promise<boolean> {
      return (await tx.execute(sql`UPDATE "SigningCode" SET "usedAt" = ${now} WHERE "id" = ${id} AND "usedAt" IS NULL AND "lockedAt" IS NULL`)) > 0;
    },

    /** Counts a wrong entry against the code; locks it (and with it, signing this version) at `lockAt` wrong entries in all. */
    async countFailure(id: string, lock: boolean, now: Date): Promise<void> {
      await db.execute(sql`
        UPDATE "SigningCode" SET "failures" = "failures" + 1, "lockedAt" = ${lock ? now : null} WHERE "id" = ${id}`);
    },
  };
}

export type SignatureRepository = ReturnType<typeof createSignatureRepository>;

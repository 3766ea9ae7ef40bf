import type { CaseDeps } from "../cases/deps.js";
import type { SecretStore } from "../db/secrets.js";
import type { FileStore } from "../files/file-store.js";
import type { Messenger } from "../notify/messenger.js";
import type { DeliveryRepository } from "../notify/delivery.repository.js";
import type { DocumentLinks } from "./document-link.js";
import type { DocumentRepository } from "./document.repository.js";

/** What issuing and serving documents needs; built once in main.ts. */
export interface ServiceDeps {
  cases: CaseDeps;
  documents: DocumentRepository;
  deliveries: Pick<DeliveryRepository, "ofDocument" | "markDocumentOpened" | "acknowledgeDocument" | "documentsServedTo">;
  files: FileStore;
  links: DocumentLinks;
  /** The key download links are signed with. */
  secrets: SecretStore;
  messenger: Messenger;
  /** How long a download link works, in days. */
  linkDays: number;
  /** A party who has not opened a document after this many days is sent it again, and staff are told. */
  openWithinDays: number;
}

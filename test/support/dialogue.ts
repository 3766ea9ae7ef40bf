import { createSchedulingRepository } from "../../src/scheduling/scheduling.repository.js";
import { createDialogue, type Dialogue, type DialogueDeps } from "../../src/bot/dialogue.js";
import type { CentreContact } from "../../src/bot/turn.js";
import type { Inbound, Outbound } from "../../src/bot/messages.js";
import type { CaseDeps } from "../../src/cases/deps.js";
import { createCaseRepositories } from "../../src/cases/repositories.js";
import type { Classifier } from "../../src/classify/port.js";
import type { Database } from "../../src/db/client.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";

export function caseDeps(t: Pick<Database, "sql">, clock = new ManualClock()): CaseDeps & { clock: ManualClock } {
  return { repos: createCaseRepositories(t.sql), sql: t.sql, clock, zone: "Asia/Shanghai", codePrefix: "OD" };
}

/** A resident talking to the dialogue on one channel: send text or press buttons by label. */
export class Resident {
  last: Outbound[] = [];
  /** Message ids are unique per Resident object, as a channel's delivery ids are. */
  private prefix = Math.random().toString(36).slice(2, 8);
  seq = 0;
  constructor(
    public dialogue: Dialogue,
    public userId = "u1",
    public channel = "web",
  ) {}

  async send(inbound: Partial<Inbound>): Promise<Outbound[]> {
    const reply = await this.dialogue.handle({ channel: this.channel, userId: this.userId, ...inbound });
    this.last = reply.messages;
    return reply.messages;
  }

  say(text: string): Promise<Outbound[]> {
    return this.send({ text, messageId: `${this.prefix}-${++this.seq}` });
  }

  /** Press the button whose label contains `label` among the last replies; fails loudly if absent. */
  press(label: string): Promise<Outbound[]> {
    const b = buttons(this.last).find((x) => x.label.includes(label));
    if (!b) throw new Error(`no button "${label}" in: ${buttons(this.last).map((x) => x.label).join(" | ")}`);
    return this.send({ button: b.data, buttonLabel: b.label, messageId: `${this.prefix}-${++this.seq}` });
  }

  text(): string {
    return texts(this.last);
  }
}

export function buttons(out: Outbound[]) {
  return out.flatMap((o) => (o.kind === "text" ? (o.buttons ?? []).flat() : []));
}

export function texts(out: Outbound[]): string {
  return out.map((o) => (o.kind === "file" ? o.caption ?? o.name : o.text)).join("\n");
}

/** The centre as tests see it: open 08:30–17:30 on weekdays in Shanghai, a duty phone, 30 minutes to answer. */
export const TEST_CENTRE: CentreContact = {
  nameZh: "测试县矛盾纠纷调处化解中心",
  nameEn: "Test County Mediation Centre",
  dutyPhone: "0371-12345678",
  hours: { zone: "Asia/Shanghai", open: "08:30", close: "17:30", days: [1, 2, 3, 4, 5] },
  handoffReplyMinutes: 30,
};

export function makeDialogue(deps: CaseDeps, classifier: Classifier, extra: Partial<DialogueDeps> = {}): Dialogue {
  return createDialogue({
    cases: deps,
    scheduling: { cases: deps, scheduling: createSchedulingRepository(deps.sql), video: false },
    classifier,
    logger: silentLogger,
    centre: TEST_CENTRE,
    ...extra,
  });
}

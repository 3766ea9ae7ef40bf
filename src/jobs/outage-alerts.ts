import type { HealthRegistry } from "../lib/health.js";
import type { Logger } from "../lib/logger.js";
import type { OutageRepository } from "./outage.repository.js";

/** Each service's name, what its outage means for residents, and what its recovery means: staff act on it. */
const SERVICES: Record<string, { name: string; down: string; back: string }> = {
  telegram: {
    name: "Telegram",
    down: "通过 Telegram 联系的居民暂时收不到消息。消息都已保存，恢复后按顺序补发；网页聊天不受影响。",
    back: "积压的消息正在按顺序补发。",
  },
  wecom: {
    name: "企业微信",
    down: "通过企业微信联系的居民和网格员暂时收不到消息。消息都已保存，恢复后按顺序补发；网页聊天不受影响。",
    back: "积压的消息正在按顺序补发。",
  },
  model: {
    name: "语言模型",
    down: "案件分类暂时由本地模型完成，居民照常可以提交；这段时间的新案件请多核对类型。",
    back: "分类重新由语言模型完成。",
  },
  speech: {
    name: "语音识别",
    down: "居民发来的语音暂时转不成文字：语音已保存，系统请他们打字。",
    back: "语音又能转成文字了。",
  },
  livekit: {
    name: "视频服务",
    down: "视频调解暂时进不去；新的预约改为电话调解。已约好的视频调解，请调解员电话联系当事人。",
    back: "新的预约又可以选视频；期间改成电话的，调解员可以改回视频。",
  },
};
const serviceOf = (d: string) => SERVICES[d] ?? { name: d, down: "依赖它的功能暂时不可用。", back: "" };
const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

/**
 * Tells the centre's supervisors and duty desk when an outside service has been down longer than
 * OUTAGE_ALERT_MINUTES — once per outage — and again when it is back, so a Telegram cut-off is not
 * found out from residents days later. Reads this instance's breakers; which instance speaks is settled
 * in the database (`outages`), so with several instances staff still hear of an outage once.
 */
export function createOutageAlerts(deps: {
  health: HealthRegistry;
  outages: OutageRepository;
  alertAfterMs: number;
  /** Records the staff notification (and sends it to their chats): `key` makes a repeat write nothing. */
  notify: (n: { key: string; kind: "outage" | "outage_recovered"; text: string }) => Promise<void>;
  logger: Logger;
  everyMs?: number;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  /** The outages this instance has seen past the alert time (told by it or by another), by service. */
  const noted = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  async function check(): Promise<void> {
    for (const d of deps.health.dependencies()) {
      if (d.status === "down" && !noted.has(d.name) && now() - d.since.getTime() >= deps.alertAfterMs) {
        noted.add(d.name);
        if (!(await deps.outages.claimAlert(d.name, d.since, new Date(now())))) continue; // another instance told them
        const service = serviceOf(d.name);
        const text = `【系统】${service.name} 已中断 ${minutes(now() - d.since.getTime())} 分钟（最近的错误：${d.lastError ?? "无"}）。${service.down}`;
        await deps.notify({ key: `outage:${d.name}:${d.since.toISOString()}`, kind: "outage", text });
        deps.logger.warn({ dependency: d.name, since: d.since, lastError: d.lastError }, "outside service down: staff told");
      } else if (d.status === "ok" && d.lastOkAt) {
        // Reached again (by this instance, since the alert): the first instance to see it says it is back.
        noted.delete(d.name);
        const since = await deps.outages.claimRecovery(d.name, d.lastOkAt, new Date(now()));
        if (!since) continue;
        const service = serviceOf(d.name);
        const text = `【系统】${service.name} 已恢复（中断约 ${minutes(now() - since.getTime())} 分钟）。${service.back}`;
        await deps.notify({ key: `outage-recovered:${d.name}:${since.toISOString()}`, kind: "outage_recovered", text });
        deps.logger.info({ dependency: d.name }, "outside service back: staff told");
      }
    }
  }

  return {
    check,
    start() {
      timer ??= setInterval(() => void check().catch((err: unknown) => deps.logger.warn({ err }, "outage check failed")), deps.everyMs ?? 15_000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

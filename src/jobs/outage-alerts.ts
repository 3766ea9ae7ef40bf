import type { BreakerView } from "../lib/breaker.js";
import type { HealthRegistry } from "../lib/health.js";
import type { Logger } from "../lib/logger.js";

const NAMES: Record<string, string> = { telegram: "Telegram", wecom: "企业微信", model: "语言模型", speech: "语音识别", livekit: "视频服务" };
const nameOf = (d: string) => NAMES[d] ?? d;
const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

/**
 * Tells the centre's supervisors and duty desk when an outside service has been down longer than
 * OUTAGE_ALERT_MINUTES — once per outage — and again when it is back, so a Telegram cut-off is not
 * found out from residents days later. Reads this instance's breakers; each instance that sees the
 * outage alerts (keyed by the service and the outage's start, so one instance never says it twice).
 */
export function createOutageAlerts(deps: {
  health: HealthRegistry;
  alertAfterMs: number;
  /** Records the staff notification (and sends it to their chats): `key` makes a repeat write nothing. */
  notify: (n: { key: string; kind: "outage" | "outage_recovered"; text: string }) => Promise<void>;
  logger: Logger;
  everyMs?: number;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const alerted = new Map<string, BreakerView>();
  let timer: NodeJS.Timeout | undefined;

  async function check(): Promise<void> {
    for (const d of deps.health.dependencies()) {
      const down = alerted.get(d.name);
      if (d.status === "down" && !down && now() - d.since.getTime() >= deps.alertAfterMs) {
        alerted.set(d.name, d);
        const text = `【系统】${nameOf(d.name)} 已中断 ${minutes(now() - d.since.getTime())} 分钟（最近的错误：${d.lastError ?? "无"}）。通过它联系的居民暂时收不到消息，消息都已保存，恢复后按顺序补发；网页聊天不受影响。`;
        await deps.notify({ key: `outage:${d.name}:${d.since.toISOString()}`, kind: "outage", text });
        deps.logger.warn({ dependency: d.name, since: d.since, lastError: d.lastError }, "outside service down: staff told");
      } else if (d.status === "ok" && down) {
        alerted.delete(d.name);
        const text = `【系统】${nameOf(d.name)} 已恢复（中断约 ${minutes(d.since.getTime() - down.since.getTime())} 分钟）。积压的消息正在按顺序补发。`;
        await deps.notify({ key: `outage-recovered:${d.name}:${down.since.toISOString()}`, kind: "outage_recovered", text });
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

// The load processes' HTTP client: node:http with keep-alive rather than fetch. A load process must
// cost little CPU and add no queueing of its own, or it shows up in the latencies it measures (the
// machine has two cores for server and load).
import http from "node:http";

export function createPoster(concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

  function request(method: string, target: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        target,
        {
          method,
          agent,
          headers: body === undefined ? headers : { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  return {
    post: (target: string, body: string, headers: Record<string, string> = {}) => request("POST", target, body, headers),
    /**
     * Opens every connection before the clock starts. Webhook senders (Telegram keeps up to 40) and
     * browsers hold their connections open; measuring the first request of 40 brand-new sockets into a
     * busy server measures the kernel and the event loop accepting them, not the service.
     */
    async connect(origin: string): Promise<void> {
      await Promise.all(Array.from({ length: concurrency }, () => request("GET", `${origin}/healthz`)));
    },
  };
}

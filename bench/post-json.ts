import http from "node:http";

/**
 * POSTs JSON through `node:http` on the caller's keep-alive agent. The benchmarks' clients share the
 * machine's two cores with what they measure, and `fetch` costs about three times the CPU per request.
 */
export function postJson(url: string, agent: http.Agent, key: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), "x-api-key": key } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

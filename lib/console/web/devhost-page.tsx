import { useState } from "preact/hooks";
import { ApiProblem, devhostApi, problemText } from "./api.js";
import { devhostKey } from "./credentials.js";
import { usePolling } from "./polling.js";
import { attributesText, valueText, type MetricSeries } from "../../telemetry/metric-text.js";

interface TopicView {
  name: string;
  subscriptions: Array<{ name: string }>;
}

interface Letter {
  topic: string;
  subscription: string;
  sequenceNumber: number;
  messageId: string;
  subject?: string;
  deliveryCount?: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  deadLetteredAt?: string;
}

const sb = "/_devhost/servicebus";

/** devhost only: its dead-lettered messages with their reasons, and the figures `lucius stats` shows. */
export function DevhostPage() {
  const [letters, setLetters] = useState<Letter[] | undefined>(undefined);
  const [metrics, setMetrics] = useState<MetricSeries[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const hasKey = devhostKey() !== null;

  usePolling(
    async () => {
      try {
        const topics = await devhostApi<TopicView[]>("GET", `${sb}/topics`);
        const found: Letter[] = [];
        for (const topic of topics) {
          for (const sub of topic.subscriptions) {
            const path = `${sb}/topics/${encodeURIComponent(topic.name)}/subscriptions/${encodeURIComponent(sub.name)}/deadletters`;
            found.push(...(await devhostApi<{ items: Letter[] }>("GET", path)).items);
          }
        }
        setLetters(found);
        setMetrics((await devhostApi<{ metrics: MetricSeries[] }>("GET", "/_devhost/metrics")).metrics);
        setError(undefined);
      } catch (e) {
        setError(e instanceof ApiProblem ? problemText(e.problem, e.status) : String(e));
      }
    },
    3000,
    hasKey,
    [],
  );

  if (!hasKey) {
    return (
      <section>
        <h1>Dead letters and metrics</h1>
        <p>
          These come from devhost, the local host: open the console from the link <code>npm start</code> prints, which carries devhost's key. In Azure, see the
          Service Bus dead-letter queues and Application Insights.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="devhost-heading">
      <h1 id="devhost-heading">Dead letters and metrics</h1>
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
      <h2 id="dlq-heading">Dead letters</h2>
      {letters === undefined ? (
        <p>Loading…</p>
      ) : letters.length === 0 ? (
        <p>No dead letters.</p>
      ) : (
        <table class="letters" aria-labelledby="dlq-heading">
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Sequence</th>
              <th scope="col">Message</th>
              <th scope="col">Deliveries</th>
              <th scope="col">Reason</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {letters.map((l) => (
              <tr>
                <td>
                  {l.topic}/{l.subscription}
                </td>
                <td>{l.sequenceNumber}</td>
                <td class="mono">{l.messageId}</td>
                <td>{l.deliveryCount ?? ""}</td>
                <td>{l.deadLetterReason ?? ""}</td>
                <td>{l.deadLetterErrorDescription ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="metrics-heading">Metrics</h2>
      {metrics === undefined ? (
        <p>Loading…</p>
      ) : (
        <table class="metrics" aria-labelledby="metrics-heading">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Type</th>
              <th scope="col">Attributes</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {metrics.flatMap((m) =>
              (m.points.length > 0 ? m.points : [undefined]).map((p) => (
                <tr>
                  <td>{m.name}</td>
                  <td>{m.type}</td>
                  <td>{p ? attributesText(p.attributes) : ""}</td>
                  <td>{p ? valueText(p, m.unit) : "(no data)"}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

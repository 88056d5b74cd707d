/**
 * Entity-group transactions sent through a `TableClient`'s own pipeline: its credential (shared
 * key, SAS or Entra token), retries, API version and tracing, exactly as the SDK sends them.
 *
 * Why not `TableClient.submitTransaction`: for every transaction it builds a new `TableClient`
 * (a whole pipeline), then runs each action through that pipeline only to serialise it into the
 * body. That was a fifth of the orchestrator's CPU per job in `bench:pipeline`. Here the body is
 * written directly, in the wire format the SDK writes, and the answer is read with the SDK's
 * semantics: a refused changeset throws a `RestError` with the failed operation's status and
 * service error code, and nothing was written.
 */
import { randomUUID } from "node:crypto";
import { channel } from "node:diagnostics_channel";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { TableClient, TableTransactionEntityResponse, TableTransactionResponse, TransactionAction } from "@azure/data-tables";
import { operation, sendThroughPipeline, serviceError, splitQuery, type Operation } from "./wire.js";

const crlf = "\r\n";

/**
 * Told of each transaction as it is sent (`{ table, requestId }`; the request goes out with
 * `x-ms-client-request-id: requestId`), because a `$batch` URL does not name its table: this is how
 * `bench/storage-requests.ts` counts a transaction against its table. Costs nothing unsubscribed.
 */
export const transactionChannel = channel("lucius:tables:transaction");

/** Submits `actions` (one partition, at most 100) as one changeset; all are written or none. */
export async function submitTransaction(client: TableClient, actions: readonly TransactionAction[]): Promise<TableTransactionResponse> {
  const partitionKey = actions[0]?.[1].partitionKey;
  if (partitionKey === undefined) throw new Error("A transaction needs at least one action");
  const [base, query] = splitQuery(client.url);
  const batchId = randomUUID();
  const changesetId = randomUUID();
  const parts = actions.map((action) => {
    if (action[1].partitionKey !== partitionKey) throw new Error("All operations in a transaction must target the same partitionKey");
    return changesetPart(changesetId, operation(`${base}/${client.tableName}`, action));
  });
  const body =
    `--batch_${batchId}${crlf}content-type: multipart/mixed; boundary=changeset_${changesetId}${crlf}${crlf}` +
    parts.join("") +
    `--changeset_${changesetId}--${crlf}--batch_${batchId}--${crlf}`;
  const request = createPipelineRequest({
    url: `${base}/$batch${query}`,
    method: "POST",
    body,
    headers: createHttpHeaders({
      accept: "application/json",
      "x-ms-version": "2019-02-02",
      DataServiceVersion: "3.0;",
      MaxDataServiceVersion: "3.0;NetFx",
      "Content-Type": `multipart/mixed; boundary=batch_${batchId}`,
      "Accept-Charset": "UTF-8",
    }),
    allowInsecureConnection: base.startsWith("http:"),
  });
  if (transactionChannel.hasSubscribers) transactionChannel.publish({ table: client.tableName, requestId: request.requestId });
  const response = await sendThroughPipeline(client.pipeline, request);
  const text = response.bodyAsText ?? "";
  if (response.status < 200 || response.status >= 300) throw serviceError(text, response.status, request, response);
  const subResponses = changesetResponses(text).map((part): TableTransactionEntityResponse => {
    const status = Number(/HTTP\/1\.1 (\d{3})/.exec(part)?.[1]);
    if (!Number.isInteger(status)) throw new Error(`A transaction's answer has a part without a status line:\n${part}`);
    const errorBody = /\{.*\}/s.exec(part)?.[0];
    if (errorBody !== undefined) throw serviceError(errorBody, status, request, response);
    const etag = /^ETag: (.*?)\r?$/im.exec(part)?.[1];
    const rowKey = /RowKey='(.*)'/.exec(part)?.[1];
    return { status, ...(rowKey !== undefined ? { rowKey } : {}), ...(etag !== undefined ? { etag } : {}) };
  });
  return { status: response.status, subResponses, getResponseForEntity: (rowKey) => subResponses.find((r) => r.rowKey === rowKey) };
}

function changesetPart(changesetId: string, op: Operation): string {
  return (
    `--changeset_${changesetId}${crlf}content-type: application/http${crlf}content-transfer-encoding: binary${crlf}${crlf}` +
    `${op.method} ${op.url} HTTP/1.1${crlf}${op.headers.join(crlf)}${crlf}${crlf}${op.body ?? ""}${crlf}`
  );
}

/** The parts between the changeset response's boundaries. */
function changesetResponses(text: string): string[] {
  const pieces = text.split("--changesetresponse_");
  return pieces.slice(1, pieces.length - 1);
}

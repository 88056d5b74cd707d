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
import { RestError, createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient } from "@azure/core-rest-pipeline";
import type { TableClient, TableTransactionEntityResponse, TableTransactionResponse, TransactionAction } from "@azure/data-tables";

const crlf = "\r\n";

/**
 * Told of each transaction as it is sent (`{ table, requestId }`; the request goes out with
 * `x-ms-client-request-id: requestId`), because a `$batch` URL does not name its table: this is how
 * `bench/storage-requests.ts` counts a transaction against its table. Costs nothing unsubscribed.
 */
export const transactionChannel = channel("lucius:tables:transaction");

/** One HTTP client for every transaction of the process: its agent keeps connections alive between them. */
let sharedHttpClient: HttpClient | undefined;

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
  sharedHttpClient ??= createDefaultHttpClient();
  const response = await client.pipeline.sendRequest(sharedHttpClient, request);
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

interface Operation {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  headers: string[];
  body?: string;
}

function operation(tableUrl: string, action: TransactionAction): Operation {
  const entity = action[1];
  const entityUrl = `${tableUrl}(PartitionKey='${keyInUrl(entity.partitionKey)}',RowKey='${keyInUrl(entity.rowKey)}')`;
  const writeHeaders = ["Content-Type: application/json", "DataServiceVersion: 3.0", "Accept: application/json"];
  switch (action[0]) {
    case "create":
      return {
        method: "POST",
        url: tableUrl,
        headers: [
          "Content-Type: application/json;odata=nometadata",
          "Accept: application/json;odata=minimalmetadata",
          "DataServiceVersion: 3.0",
          "Prefer: return-no-content",
        ],
        body: JSON.stringify(serialize(entity)),
      };
    case "update": {
      const [, , mode = "Merge", options] = action;
      return {
        method: mode === "Replace" ? "PUT" : "PATCH",
        url: entityUrl,
        headers: [...writeHeaders, `If-Match: ${options?.etag ?? "*"}`],
        body: JSON.stringify(serialize(entity)),
      };
    }
    case "upsert": {
      const [, , mode = "Merge"] = action;
      return { method: mode === "Replace" ? "PUT" : "PATCH", url: entityUrl, headers: writeHeaders, body: JSON.stringify(serialize(entity)) };
    }
    case "delete":
      // As the SDK's transactions do: a delete inside a changeset is unconditional.
      return { method: "DELETE", url: entityUrl, headers: ["Accept: application/json;odata=minimalmetadata", "DataServiceVersion: 3.0", "If-Match: *"] };
  }
}

function changesetPart(changesetId: string, op: Operation): string {
  return (
    `--changeset_${changesetId}${crlf}content-type: application/http${crlf}content-transfer-encoding: binary${crlf}${crlf}` +
    `${op.method} ${op.url} HTTP/1.1${crlf}${op.headers.join(crlf)}${crlf}${crlf}${op.body ?? ""}${crlf}`
  );
}

/** A key as the service reads it inside `(PartitionKey='…',RowKey='…')`: quotes doubled, then percent-encoded. */
function keyInUrl(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

/** The account URL without its query (a SAS), and that query, which the SDK moves after `$batch`. */
function splitQuery(url: string): [string, string] {
  const at = url.indexOf("?");
  const base = (at < 0 ? url : url.slice(0, at)).replace(/\/+$/, "");
  return [base, at < 0 ? "" : url.slice(at)];
}

/** The parts between the changeset response's boundaries. */
function changesetResponses(text: string): string[] {
  const pieces = text.split("--changesetresponse_");
  return pieces.slice(1, pieces.length - 1);
}

function serviceError(text: string, statusCode: number, request: RestErrorOptions["request"], response: RestErrorOptions["response"]): RestError {
  let message = "Transaction Failed";
  let code: string | undefined;
  try {
    const error = (JSON.parse(text) as { "odata.error"?: { code?: string; message?: { value?: string } } })["odata.error"];
    if (error) {
      message = error.message?.value ?? message;
      code = error.code;
    }
  } catch {
    // Not JSON: the status alone says what happened.
  }
  return new RestError(message, { code, statusCode, request, response });
}

type RestErrorOptions = NonNullable<ConstructorParameters<typeof RestError>[1]>;

const propertyNames: Record<string, string> = { partitionKey: "PartitionKey", rowKey: "RowKey", etag: "odata.etag", timestamp: "Timestamp" };
const edmTypes = new Set(["Boolean", "DateTime", "Double", "Guid", "Int32", "Int64", "String", "Binary"]);

/** An entity's JSON as the SDK writes it: EDM-typed values get an `@odata.type` beside them. */
function serialize(entity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    const key = propertyNames[name] ?? name;
    const [serialized, type] = typed(value);
    out[key] = serialized;
    if (type) out[`${key}@odata.type`] = `Edm.${type}`;
  }
  return out;
}

function typed(value: unknown): [unknown, string?] {
  if (value === undefined || value === null || typeof value === "boolean" || typeof value === "string" || typeof value === "number") return [value];
  if (typeof value === "bigint") return [value.toString(), "Int64"];
  if (value instanceof Date) return [value, "DateTime"];
  if (value instanceof Uint8Array) return [Buffer.from(value).toString("base64"), "Binary"];
  if (typeof value === "object" && "value" in value && "type" in value && value.value !== undefined) {
    const type = String(value.type);
    if (edmTypes.has(type)) return [value.value, type];
  }
  throw new Error(`Unknown EDM type ${typeof value}`);
}

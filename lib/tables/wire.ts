/**
 * Table Storage requests as the SDK writes them on the wire, sent through a `TableClient`'s own
 * pipeline (its credential, retries, API version and tracing): the entity operations of
 * `submit-transaction.ts` and `write-entity.ts`, so both build each operation the same way.
 */
import { RestError, createDefaultHttpClient, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { TableEntity, TransactionAction } from "@azure/data-tables";

/** A write of one entity: a transaction's action, or a delete that holds an ETag to match (`*` without). */
export type EntityAction = TransactionAction | readonly ["delete", TableEntity, { etag?: string }];

/** One HTTP client for the process: its agent keeps connections alive between requests. */
let sharedHttpClient: HttpClient | undefined;

export function sendThroughPipeline(
  pipeline: { sendRequest(client: HttpClient, request: PipelineRequest): Promise<PipelineResponse> },
  request: PipelineRequest,
) {
  sharedHttpClient ??= createDefaultHttpClient();
  return pipeline.sendRequest(sharedHttpClient, request);
}

export interface Operation {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  headers: string[];
  body?: string;
}

export function operation(tableUrl: string, action: EntityAction): Operation {
  const entity = action[1];
  const entityUrl = () => `${tableUrl}(PartitionKey='${keyInUrl(entity.partitionKey)}',RowKey='${keyInUrl(entity.rowKey)}')`;
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
        url: entityUrl(),
        headers: [...writeHeaders, `If-Match: ${options?.etag ?? "*"}`],
        body: JSON.stringify(serialize(entity)),
      };
    }
    case "upsert": {
      const [, , mode = "Merge"] = action;
      return { method: mode === "Replace" ? "PUT" : "PATCH", url: entityUrl(), headers: writeHeaders, body: JSON.stringify(serialize(entity)) };
    }
    case "delete":
      return {
        method: "DELETE",
        url: entityUrl(),
        headers: ["Accept: application/json;odata=minimalmetadata", "DataServiceVersion: 3.0", `If-Match: ${action[2]?.etag ?? "*"}`],
      };
  }
}

/** A key as the service reads it inside `(PartitionKey='…',RowKey='…')`: quotes doubled, then percent-encoded. */
function keyInUrl(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

/** The account URL without its query (a SAS), and that query, which the SDK moves after `$batch`. */
export function splitQuery(url: string): [string, string] {
  const at = url.indexOf("?");
  const base = (at < 0 ? url : url.slice(0, at)).replace(/\/+$/, "");
  return [base, at < 0 ? "" : url.slice(at)];
}

export function serviceError(text: string, statusCode: number, request: PipelineRequest, response: PipelineResponse): RestError {
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

const propertyNames = new Map([
  ["partitionKey", "PartitionKey"],
  ["rowKey", "RowKey"],
  ["etag", "odata.etag"],
  ["timestamp", "Timestamp"],
]);
const edmTypes = new Set(["Boolean", "DateTime", "Double", "Guid", "Int32", "Int64", "String", "Binary"]);

/** An entity's JSON as the SDK writes it: EDM-typed values get an `@odata.type` beside them. */
function serialize(entity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(entity)) {
    const value = entity[name];
    const key = propertyNames.get(name) ?? name;
    // Most values are plain JSON: no [value, type] pair is made for them.
    if (isPlainJson(value)) {
      out[key] = value;
      continue;
    }
    const [serialized, type] = typed(value);
    out[key] = serialized;
    out[`${key}@odata.type`] = `Edm.${type}`;
  }
  return out;
}

function isPlainJson(value: unknown): boolean {
  return value === undefined || value === null || typeof value === "boolean" || typeof value === "string" || typeof value === "number";
}

/** A value that is not plain JSON, as the wire carries it and the EDM type it goes with. */
function typed(value: unknown): [unknown, string] {
  if (typeof value === "bigint") return [value.toString(), "Int64"];
  if (value instanceof Date) return [value, "DateTime"];
  if (value instanceof Uint8Array) return [Buffer.from(value).toString("base64"), "Binary"];
  if (typeof value === "object" && value !== null && "value" in value && "type" in value && value.value !== undefined) {
    const type = String(value.type);
    if (edmTypes.has(type)) return [value.value, type];
  }
  throw new Error(`Unknown EDM type ${typeof value}`);
}

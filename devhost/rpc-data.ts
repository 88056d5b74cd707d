/**
 * The worker protocol's data shapes (`FunctionRpc.proto`) as devhost sends them to the app's
 * programming model: what the Functions host would put on the gRPC stream, already decoded.
 */
export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  stream?: Uint8Array;
  http?: RpcHttpData;
  int?: number;
  double?: number;
  collectionBytes?: { bytes: Uint8Array[] };
  collectionString?: { string: string[] };
  collectionDouble?: { double: number[] };
  collectionSint64?: { sint64: number[] };
  modelBindingData?: { version: string; source: string; contentType: string; content: Uint8Array };
  collectionModelBindingData?: { modelBindingData: Array<{ version: string; source: string; contentType: string; content: Uint8Array }> };
}

export interface RpcHttpCookie {
  name: string;
  value: string;
  domain?: { value: string } | null;
  path?: { value: string } | null;
  expires?: { value: { seconds: number } } | null;
  secure?: { value: boolean } | null;
  httpOnly?: { value: boolean } | null;
  sameSite?: string | number;
  maxAge?: { value: number } | null;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  body?: RpcTypedData | null;
  params?: Record<string, string>;
  statusCode?: string;
  query?: Record<string, string>;
  cookies?: RpcHttpCookie[];
  enableContentNegotiation?: boolean;
}

export interface RpcParameterBinding {
  name: string;
  data?: RpcTypedData | null;
}

/** The parts of an `InvocationRequest` devhost fills (the function, ids and logging come from the caller). */
export interface RpcInvocationRequest {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  traceContext?: { traceParent?: string; traceState?: string; attributes?: Record<string, string> };
  retryContext?: { retryCount: number; maxRetryCount: number };
}

/** What the programming model's `getResponse` hands the worker for the host. */
export interface RpcInvocationResponse {
  invocationId: string;
  returnValue?: RpcTypedData | null;
  outputData?: RpcParameterBinding[];
}

/** Trigger metadata as the host sends it: strings as `string`, every other value as `json`; absent values not at all. */
export function rpcTriggerMetadata(metadata: Record<string, unknown>): Record<string, RpcTypedData> {
  return Object.fromEntries(
    Object.entries(metadata)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, typeof value === "string" ? { string: value } : { json: JSON.stringify(value) }]),
  );
}

/**
 * A returned value as JSON text, the way the host's extensions read `RpcTypedData` back into
 * .NET values and serialize them (bytes as base64, as Json.NET writes a `byte[]`); undefined
 * when the data carries no value.
 */
export function rpcValueJson(data: RpcTypedData | null | undefined): string | undefined {
  if (!data) return undefined;
  if (data.json !== undefined) return data.json;
  if (data.string !== undefined) return JSON.stringify(data.string);
  if (data.int !== undefined) return JSON.stringify(data.int);
  if (data.double !== undefined) return JSON.stringify(data.double);
  if (data.bytes !== undefined) return JSON.stringify(Buffer.from(data.bytes).toString("base64"));
  return undefined;
}

/** A valid `OCR->EMBEDDING` command for `tenant`; `n` makes its refs and idempotency key unique. */
export const ocrEmbeddingCommand = (tenant: string, n: number, keyPrefix: string) => ({
  tenant_id: tenant,
  request_type: "OCR->EMBEDDING",
  input_ref: `https://example.blob.core.windows.net/inputs/${n}.png`,
  output_ref: `https://example.blob.core.windows.net/outputs/${n}`,
  payload: {},
  schema_version: "v1",
  idempotency_key: `${keyPrefix}-${n}`,
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type AnySchemaObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { ContractError, ContractErrorCode } from "./errors.js";

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module namespace.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export type SchemaObject = AnySchemaObject & { $id: string };

/** Every `*.schema.json` under `dirs`, keyed by `$id`; a file without `$id` or a duplicate `$id` is fatal. */
export function readSchemas(dirs: readonly string[]): Map<string, SchemaObject> {
  const schemas = new Map<string, SchemaObject>();
  const files = new Map<string, string>();
  for (const dir of dirs) {
    const names = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith(".schema.json")).sort();
    for (const name of names) {
      const file = join(dir, name);
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        throw new ContractError(ContractErrorCode.schemaInvalid, `Schema ${file} is not readable JSON: ${(error as Error).message}`);
      }
      const id = (schema as { $id?: unknown }).$id;
      if (typeof id !== "string") throw new ContractError(ContractErrorCode.schemaInvalid, `Schema ${file} has no $id`);
      const clash = files.get(id);
      if (clash) throw new ContractError(ContractErrorCode.schemaInvalid, `Schemas ${clash} and ${file} share the $id ${id}`);
      files.set(id, file);
      schemas.set(id, schema as SchemaObject);
    }
  }
  return schemas;
}

/**
 * One ajv for all contracts, every schema compiled now so a broken schema stops start-up.
 * `strictRequired` stays off: `then: { required: [...] }` naming properties declared by the
 * parent is the standard 2020-12 idiom for conditional requirements (BURST needs doc_id).
 * `discriminator` lets `type` select one branch of directive/reply, so errors come from that branch only.
 */
export function compileSchemas(schemas: ReadonlyMap<string, SchemaObject>): Map<string, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true, discriminator: true });
  addFormats(ajv, ["uri", "date-time", "uuid"]);
  const validators = new Map<string, ValidateFunction>();
  try {
    for (const schema of schemas.values()) ajv.addSchema(schema);
    for (const id of schemas.keys()) validators.set(id, ajv.getSchema(id)!);
  } catch (error) {
    throw new ContractError(ContractErrorCode.schemaInvalid, `Contract schemas do not compile: ${(error as Error).message}`);
  }
  return validators;
}

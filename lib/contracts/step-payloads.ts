import type { ValidateFunction } from "ajv";
import { issuesFromAjv } from "./ajv-issues.js";
import type { SchemaObject } from "./schema-store.js";
import { stepBoundIssues } from "./step-bounds.js";
import type { CommandEnvelope, Protocol, ProtocolStep } from "./types.gen.js";
import { childPointer, type Validation, type ValidationIssue } from "./validation.js";

export type StepPayloads = Record<string, Record<string, unknown>>;

interface StepSchema {
  validate?: ValidateFunction;
  /** The properties a closed step schema declares; undefined when the schema accepts any key. */
  declared?: ReadonlySet<string>;
}

function stepSchema(step: ProtocolStep, schemas: ReadonlyMap<string, SchemaObject>, validators: ReadonlyMap<string, ValidateFunction>): StepSchema {
  const id = step.payload_schema_ref;
  if (id === undefined) return {};
  const schema = schemas.get(id);
  const closed = schema?.additionalProperties === false && typeof schema.properties === "object";
  return { validate: validators.get(id), declared: closed ? new Set(Object.keys(schema.properties as object)) : undefined };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Splits a (schema-valid) envelope's `payload` into one part per step of `protocol` and validates
 * each part against the step's `payload_schema_ref`. Issue pointers are into the command body.
 *
 * - Per-step form `{ "steps": { "<step_id>": {…} } }`: a step id the protocol does not have is an
 *   issue at `/payload/steps/<id>`; a step without an entry receives `{}`.
 * - Shared form (any other object): one object for the whole job. Each step receives only the
 *   properties its (closed) schema declares, so `{ "language_hint": "de", "model": "m" }` gives
 *   OCR `{language_hint}` and EMBEDDING `{model}`. A property no step of the protocol declares is
 *   an issue at `/payload/<name>`. A step without a payload schema, or whose schema accepts any
 *   key, receives the whole shared object and lifts the unknown-property rule.
 */
export function splitStepPayloads(
  envelope: CommandEnvelope,
  protocol: Protocol,
  schemas: ReadonlyMap<string, SchemaObject>,
  validators: ReadonlyMap<string, ValidateFunction>,
): Validation<StepPayloads> {
  const payload: unknown = envelope.payload;
  if (!isObject(payload)) return { ok: false, errors: [{ pointer: "/payload", message: "must be an object" }] };
  const steps = protocol.steps.map((step) => ({ step, schema: stepSchema(step, schemas, validators) }));
  const parts: StepPayloads = {};
  const issues: ValidationIssue[] = [];

  const check = (step: ProtocolStep, part: Record<string, unknown>, base: string, validate?: ValidateFunction) => {
    parts[step.step_id] = part;
    if (validate && !validate(part)) issues.push(...issuesFromAjv(validate.errors, base));
    else issues.push(...stepBoundIssues(step.step_type, part, base));
  };

  if ("steps" in payload) {
    const perStep = payload.steps;
    if (!isObject(perStep)) return { ok: false, errors: [{ pointer: "/payload/steps", message: "must be an object" }] };
    const known = new Set(protocol.steps.map((s) => s.step_id));
    for (const id of Object.keys(perStep)) {
      if (!known.has(id)) {
        issues.push({
          pointer: childPointer("/payload/steps", id),
          message: `protocol "${protocol.protocol_id}" has no step "${id}" (steps: ${[...known].join(", ")})`,
        });
      }
    }
    for (const { step, schema } of steps) {
      const base = childPointer("/payload/steps", step.step_id);
      const part = Object.hasOwn(perStep, step.step_id) ? perStep[step.step_id] : {};
      if (!isObject(part)) issues.push({ pointer: base, message: "must be an object" });
      else check(step, part, base, schema.validate);
    }
  } else {
    const open = steps.some(({ schema }) => schema.declared === undefined);
    if (!open) {
      const declared = new Set(steps.flatMap(({ schema }) => [...(schema.declared ?? [])]));
      for (const key of Object.keys(payload)) {
        if (!declared.has(key)) {
          issues.push({
            pointer: childPointer("/payload", key),
            message: `no step of protocol "${protocol.protocol_id}" takes "${key}" (fields: ${[...declared].sort().join(", ")})`,
          });
        }
      }
    }
    for (const { step, schema } of steps) {
      const part = schema.declared ? Object.fromEntries(Object.entries(payload).filter(([key]) => schema.declared!.has(key))) : payload;
      check(step, part, "/payload", schema.validate);
    }
  }

  const unique = issues.filter((issue, i) => issues.findIndex((o) => o.pointer === issue.pointer && o.message === issue.message) === i);
  return unique.length > 0 ? { ok: false, errors: unique } : { ok: true, value: parts };
}

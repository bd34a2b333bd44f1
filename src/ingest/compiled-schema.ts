// A fast acceptance path for a zod object schema, derived from the schema itself. zod's object
// parsing runs its generic machinery for each of a call record's 49 fields (~5 µs per record);
// the plain checks most fields carry (types, lengths, ranges, integers, enums, a regex) are
// compiled here into direct JavaScript. The result only ever accepts: a record it is not
// certain of (any failed or unfamiliar check, unknown key, unusual object) is handed to zod,
// which decides and names the field exactly as before. Fields with transforms or other schema
// kinds are parsed by their own zod schema, so their output is zod's. The object's refinement
// is passed in as a function, because a refinement's code cannot be read from the schema; an
// object with any other check gets no fast path. test/ingest-compiled-schema.test.ts compares
// both on valid and invalid records of every kind.
import type { z } from 'zod';

/** The refinement's issues for an accepted record; any issue sends the record to zod. */
export type ObjectRefinement = (record: Record<string, unknown>) => readonly unknown[];

/** A record's output when certainly valid (what zod's safeParse would give), else undefined. */
export type FastParse = (input: unknown) => Record<string, unknown> | undefined;

/** Field outcome: the output value, or REFER when only zod can decide. */
const REFER: unique symbol = Symbol('refer');
type FieldParse = (value: unknown) => unknown;
type Check = (value: never) => boolean;

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

function defOf(schema: z.core.$ZodType): z.core.$ZodTypeDef & Record<string, unknown> {
  return schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
}

function checkDefs(def: Record<string, unknown>): CheckDef[] {
  return ((def.checks as z.core.$ZodCheck[] | undefined) ?? []).map((check) => check._zod.def as unknown as CheckDef);
}

/** A string length check: zod counts code points, so only a certain answer in UTF-16 units is used. */
function stringCheck(check: CheckDef): Check | null {
  if (check.check === 'max_length' && typeof check.maximum === 'number') {
    // Units ≥ code points: within the limit in units is within it in code points.
    const maximum = check.maximum;
    return (value: string) => value.length <= maximum;
  }
  if (check.check === 'min_length' && typeof check.minimum === 'number') {
    // A code point is at most two units; any non-empty string holds at least one.
    const minimum = check.minimum;
    return (value: string) => value.length >= 2 * minimum || (minimum <= 1 && value.length >= minimum);
  }
  if (check.check === 'string_format' && check.format === 'regex' && check.pattern instanceof RegExp && !check.pattern.global && !check.pattern.sticky) {
    const pattern = check.pattern;
    return (value: string) => pattern.test(value);
  }
  return null;
}

function numberCheck(check: CheckDef): Check | null {
  if (check.check === 'number_format' && check.format === 'safeint') return (value: number) => Number.isSafeInteger(value);
  if ((check.check === 'greater_than' || check.check === 'less_than') && typeof check.value === 'number') {
    const bound = check.value;
    if (check.check === 'greater_than') return check.inclusive ? (value: number) => value >= bound : (value: number) => value > bound;
    return check.inclusive ? (value: number) => value <= bound : (value: number) => value < bound;
  }
  return null;
}

function allChecks(def: Record<string, unknown>, compile: (check: CheckDef) => Check | null): Check[] | null {
  const checks: Check[] = [];
  for (const check of checkDefs(def)) {
    const compiled = compile(check);
    if (!compiled) return null;
    checks.push(compiled);
  }
  return checks;
}

/** The field's parser from its schema: compiled where every part is familiar, zod's otherwise. */
function compileField(schema: z.core.$ZodType): FieldParse {
  return compilePlain(schema) ?? viaZod(schema);
}

function viaZod(schema: z.core.$ZodType): FieldParse {
  const parse = (schema as unknown as { safeParse(value: unknown): { success: boolean; data?: unknown } }).safeParse.bind(schema);
  return (value) => {
    const result = parse(value);
    return result.success ? result.data : REFER;
  };
}

function compilePlain(schema: z.core.$ZodType): FieldParse | null {
  const def = defOf(schema);
  if (def.coerce) return null;
  switch (def.type) {
    case 'optional':
    case 'nullable': {
      const inner = compileField(def.innerType as z.core.$ZodType);
      const empty = def.type === 'optional' ? undefined : null;
      return (value) => (value === empty ? value : inner(value));
    }
    case 'string': {
      const checks = allChecks(def, stringCheck);
      if (!checks) return null;
      return (value) => (typeof value === 'string' && checks.every((check) => check(value as never)) ? value : REFER);
    }
    case 'number': {
      const checks = allChecks(def, numberCheck);
      if (!checks) return null;
      return (value) => (typeof value === 'number' && Number.isFinite(value) && checks.every((check) => check(value as never)) ? value : REFER);
    }
    case 'boolean':
      return checkDefs(def).length === 0 ? (value) => (typeof value === 'boolean' ? value : REFER) : null;
    case 'enum': {
      if (checkDefs(def).length > 0) return null;
      const values = new Set(Object.values(def.entries as Record<string, unknown>));
      return (value) => (values.has(value) ? value : REFER);
    }
    case 'unknown':
      return checkDefs(def).length === 0 ? (value) => value : null;
    case 'array': {
      const checks = allChecks(def, (check) => (check.check === 'max_length' || check.check === 'min_length' ? arrayLengthCheck(check) : null));
      const element = compilePlain(def.element as z.core.$ZodType);
      if (!checks || !element) return null;
      return (value) => {
        if (!Array.isArray(value) || !checks.every((check) => check(value as never))) return REFER;
        // Elements whose output is themselves (no transforms) keep the array as it came.
        for (const item of value) if (element(item) !== item) return REFER;
        return value;
      };
    }
    default:
      return null;
  }
}

function arrayLengthCheck(check: CheckDef): Check | null {
  if (check.check === 'max_length' && typeof check.maximum === 'number') {
    const maximum = check.maximum;
    return (value: unknown[]) => value.length <= maximum;
  }
  if (check.check === 'min_length' && typeof check.minimum === 'number') {
    const minimum = check.minimum;
    return (value: unknown[]) => value.length >= minimum;
  }
  return null;
}

/**
 * The fast path of a strict object schema, or null when it cannot have one (not a strict
 * object, or object-level checks other than the one refinement given).
 */
export function compileObjectSchema(schema: z.core.$ZodType, refinement: ObjectRefinement | null): FastParse | null {
  const def = defOf(schema);
  if (def.type !== 'object') return null;
  // Strict: unknown keys are refused, which zod reports by name.
  if (!def.catchall || defOf(def.catchall as z.core.$ZodType).type !== 'never') return null;
  if (checkDefs(def).length !== (refinement ? 1 : 0)) return null;
  const fields = new Map<string, FieldParse>();
  for (const [key, field] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) fields.set(key, compileField(field));
  // Fields that do not simply stay absent when absent (required ones, or a transform that
  // makes a value of nothing) must be present, or zod decides.
  const required = [...fields.entries()].filter(([, parse]) => parse(undefined) !== undefined).map(([key]) => key);
  return (input) => {
    if (input === null || typeof input !== 'object' || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
    const record = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record)) {
      const parse = fields.get(key);
      if (!parse) return undefined;
      const value = parse(record[key]);
      if (value === REFER) return undefined;
      out[key] = value;
    }
    for (const key of required) if (!(key in out)) return undefined;
    if (refinement && refinement(out).length > 0) return undefined;
    return out;
  };
}

import { z } from 'zod';
import * as api from '../../src/api.js';
import * as common from '../../src/common.js';
import * as conversations from '../../src/conversations.js';
import * as errors from '../../src/errors.js';
import * as events from '../../src/events.js';
import * as files from '../../src/files.js';
import * as frames from '../../src/frames.js';
import * as messages from '../../src/messages.js';
import * as sync from '../../src/sync.js';
import * as users from '../../src/users.js';

/*
 * The protocol's zod schemas seen as data: which exported name and file each schema has, the fields of an object,
 * the objects a field carries (through optional, nullable, default, arrays and unions), and the literal values a
 * field allows. Built on zod 4's `_zod.def`, which every schema has.
 */

export type Schema = z.ZodType;

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  element?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, string | number>;
  in?: Schema;
  out?: Schema;
  getter?: () => Schema;
  left?: Schema;
  right?: Schema;
}

export function defOf(schema: Schema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const MODULES: Record<string, Record<string, unknown>> = {
  'common.ts': common,
  'errors.ts': errors,
  'users.ts': users,
  'files.ts': files,
  'messages.ts': messages,
  'conversations.ts': conversations,
  'events.ts': events,
  'frames.ts': frames,
  'sync.ts': sync,
  'api.ts': api,
};

/** Every exported schema by identity: its export name and the file that declares it. */
const NAMES = new Map<Schema, { name: string; file: string }>();
for (const [file, module] of Object.entries(MODULES)) {
  for (const [name, value] of Object.entries(module)) {
    if (value instanceof z.ZodType && !NAMES.has(value)) NAMES.set(value, { name, file: `packages/protocol/src/${file}` });
  }
}

/** The exported schema of that name, if any. */
export function schemaNamed(name: string): Schema | undefined {
  for (const [schema, n] of NAMES) if (n.name === name) return schema;
  return undefined;
}

export function nameOf(schema: Schema): string | undefined {
  return NAMES.get(schema)?.name;
}

/** How a message names a schema: `Message` (packages/protocol/src/messages.ts), or the fields of an unnamed one. */
export function describe(schema: Schema, context?: string): string {
  const named = NAMES.get(schema);
  if (named) return `\`${named.name}\` (${named.file})`;
  return `the object { ${fieldsOf(schema).join(', ')} }${context ? ` in ${context}` : ''}`;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema without optional, nullable and default around it. */
export function unwrap(schema: Schema): Schema {
  const def = defOf(schema);
  return WRAPPERS.has(def.type) && def.innerType ? unwrap(def.innerType) : schema;
}

export function isObject(schema: Schema): boolean {
  return defOf(schema).type === 'object';
}

/** A union told apart by a field (`type`, `kind`). */
export function discriminatorOf(schema: Schema): string | undefined {
  const def = defOf(schema);
  return def.type === 'union' ? def.discriminator : undefined;
}

export function optionsOf(schema: Schema): Schema[] {
  return defOf(schema).options ?? [];
}

/** The fields of an object, or of every option of a union of objects. */
export function fieldsOf(schema: Schema): string[] {
  const def = defOf(schema);
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') return [...new Set(optionsOf(schema).flatMap(fieldsOf))];
  return [];
}

export function fieldSchema(schema: Schema, field: string): Schema {
  const def = defOf(schema);
  if (def.type === 'object') return def.shape![field]!;
  const option = optionsOf(schema).find((o) => fieldsOf(o).includes(field));
  return fieldSchema(option!, field);
}

/** The literal values a field allows when it is an enum, a literal or a union of literals; [] otherwise. */
export function literalValues(schema: Schema): unknown[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'literal') return def.values ?? [];
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  if (def.type === 'union') {
    const parts = optionsOf(inner).map(literalValues);
    return parts.every((p) => p.length > 0) ? parts.flat() : [];
  }
  return [];
}

/** The `discriminator` value of one option of a discriminated union. */
export function discriminatorValue(option: Schema, discriminator: string): string {
  return String(literalValues(fieldSchema(option, discriminator))[0]);
}

/**
 * The objects and unions of objects a field carries, looking through wrappers and arrays: each is documented as a
 * whole (a named data type) or field by field.
 */
export function carried(schema: Schema): Schema[] {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return carried(def.innerType);
  switch (def.type) {
    case 'object':
      return [schema];
    case 'array':
      return carried(def.element!);
    case 'union':
      // A union of objects is one thing to document (Content, Entity); a union of scalars carries nothing.
      return optionsOf(schema).some((o) => carried(o).length > 0) ? [schema] : [];
    case 'pipe':
      return carried(def.out!);
    case 'lazy':
      return carried(def.getter!());
    case 'intersection':
      return [...carried(def.left!), ...carried(def.right!)];
    default:
      return [];
  }
}

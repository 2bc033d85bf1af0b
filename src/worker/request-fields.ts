/**
 * zod field builders shared by the worker request schemas: every message says what the field
 * must be and what it was given (the path is added by parseRequest).
 */
import { z } from 'zod';

const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A finite number. */
export const finite = () =>
  z.number({ error: (i) => `must be a finite number, got ${shown(i.input)}` });

/** A whole number ≥ min (≤ max when given). */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  finite().refine((n) => Number.isInteger(n) && n >= min && n <= max, {
    error: (i) =>
      `must be a whole number ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and ≤ ${max}` : ''}, got ${shown(i.input)}`,
  });

/** A number > 0. */
export const positive = () =>
  finite().refine((n) => n > 0, { error: (i) => `must be > 0, got ${shown(i.input)}` });

/** A seed: any whole number (the generators fold it into 32 bits). */
export const seed = () =>
  finite().refine(Number.isInteger, {
    error: (i) => `must be a whole number, got ${shown(i.input)}`,
  });

/** A non-empty string id. */
export const id = () =>
  z
    .string({ error: (i) => `must be a string id, got ${shown(i.input)}` })
    .min(1, 'must not be empty');

/** One of `values`, listing them when the value is another. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, {
    error: (i) => `must be one of ${values.join(', ')}, got ${shown(i.input)}`,
  });

/**
 * An optional field: absent, undefined or null (a cleared number input binds null) all read as
 * absent, as the engine's `??` defaults always treated them; any other value is checked by `field`.
 */
export const optional = <T extends z.ZodType>(field: T) =>
  field.nullish().transform((v) => v ?? undefined);

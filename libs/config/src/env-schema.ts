/**
 * A small, typed environment schema. Each app declares its variables once; `loadConfig` parses them all
 * and fails with one readable message that names every bad variable. No other code reads `process.env`.
 */
import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Thrown by a parser; `loadConfig` collects them. */
export class ConfigProblem extends Error {}

export interface Field<T> {
  parse(raw: string | undefined, name: string): T;
  /** a secret (key, password, URL with credentials): may also be given as `<NAME>_FILE`, a path to a file holding it */
  secret?: boolean;
}

/** Marks a field as a secret, so `loadConfig` also accepts it as `<NAME>_FILE` (Docker/Kubernetes secret files). */
export function asSecret<T>(f: Field<T>): Field<T> {
  return { parse: (raw, name) => f.parse(raw, name), secret: true };
}

/**
 * The raw value of a secret variable: `source[name]`, or the trimmed contents of the file `source[name_FILE]`
 * names. Both set is an error (which one wins would be a guess), and so is a file that cannot be read.
 */
export function secretValue(source: Env, name: string): string | undefined {
  const path = source[`${name}_FILE`];
  if (!present(path)) return source[name];
  if (present(source[name])) throw new ConfigProblem(`${name} and ${name}_FILE are both set; set only one of them`);
  try {
    return readFileSync(path.trim(), 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigProblem(`${name}_FILE: cannot read ${path.trim()} (${code})`);
  }
}

type FieldOpts<T> = { default?: T; optional?: boolean };

function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== '';
}

function required(name: string): never {
  throw new ConfigProblem(`${name} is required but not set`);
}

function field<T>(opts: FieldOpts<T>, convert: (raw: string, name: string) => T): Field<T> {
  return {
    parse(raw, name) {
      if (!present(raw)) {
        if (opts.default !== undefined) return opts.default;
        if (opts.optional) return undefined as T;
        return required(name);
      }
      return convert(raw.trim(), name);
    },
  };
}

export const env = {
  string(opts: FieldOpts<string> & { minLength?: number; pattern?: RegExp; hint?: string } = {}): Field<string> {
    return field(opts, (raw, name) => {
      if (opts.minLength !== undefined && raw.length < opts.minLength) {
        throw new ConfigProblem(`${name} must be at least ${opts.minLength} characters long`);
      }
      if (opts.pattern && !opts.pattern.test(raw)) {
        throw new ConfigProblem(`${name} has an invalid value${opts.hint ? ` (${opts.hint})` : ''}`);
      }
      return raw;
    });
  },
  optionalString(): Field<string | undefined> {
    return field<string | undefined>({ optional: true }, (raw) => raw);
  },
  int(opts: FieldOpts<number> & { min?: number; max?: number } = {}): Field<number> {
    return field(opts, (raw, name) => {
      if (!/^-?\d+$/.test(raw)) throw new ConfigProblem(`${name} must be an integer, got "${raw}"`);
      const value = Number(raw);
      if (opts.min !== undefined && value < opts.min) throw new ConfigProblem(`${name} must be >= ${opts.min}, got ${value}`);
      if (opts.max !== undefined && value > opts.max) throw new ConfigProblem(`${name} must be <= ${opts.max}, got ${value}`);
      return value;
    });
  },
  port(opts: FieldOpts<number> = {}): Field<number> {
    return env.int({ ...opts, min: 0, max: 65535 });
  },
  bool(opts: FieldOpts<boolean> = {}): Field<boolean> {
    return field(opts, (raw, name) => {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigProblem(`${name} must be true or false, got "${raw}"`);
    });
  },
  oneOf<const V extends string>(values: readonly V[], opts: FieldOpts<V> = {}): Field<V> {
    return field(opts, (raw, name) => {
      if (!(values as readonly string[]).includes(raw)) {
        throw new ConfigProblem(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
      }
      return raw as V;
    });
  },
  url(opts: FieldOpts<string> & { protocols: string[] }): Field<string> {
    return field(opts, (raw, name) => {
      let parsed: URL;
      try {
        parsed = new URL(raw);
      } catch {
        throw new ConfigProblem(`${name} must be a URL (${opts.protocols.map((p) => `${p}://…`).join(' or ')})`);
      }
      const protocol = parsed.protocol.replace(/:$/, '');
      if (!opts.protocols.includes(protocol)) {
        throw new ConfigProblem(`${name} must use ${opts.protocols.join(' or ')}://, got ${protocol}://`);
      }
      return raw;
    });
  },
  list(opts: FieldOpts<string[]> & { item?: RegExp; hint?: string } = {}): Field<string[]> {
    return field(opts, (raw, name) => {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const item of items) {
        if (opts.item && !opts.item.test(item)) {
          throw new ConfigProblem(`${name} has an invalid entry "${item}"${opts.hint ? ` (${opts.hint})` : ''}`);
        }
      }
      return items;
    });
  },
};

export type ConfigOf<S extends Record<string, Field<unknown>>> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/**
 * Parses `source` against `schema`. `refine` may add cross-field problems (conditional requirements).
 * Throws {@link ConfigError} naming every bad variable.
 */
export function loadConfig<S extends Record<string, Field<unknown>>>(
  schema: S,
  source: Env,
  refine?: (config: ConfigOf<S>, problem: (message: string) => void) => void,
): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(schema)) {
    try {
      out[name] = f.parse(f.secret ? secretValue(source, name) : source[name], name);
    } catch (error) {
      if (error instanceof ConfigProblem) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length === 0 && refine) refine(out as ConfigOf<S>, (m) => problems.push(m));
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

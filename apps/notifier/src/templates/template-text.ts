import { CONTROL_CHARACTERS_ALL } from '@twostep/contracts';

/** Template text: `{{name}}` placeholders and `**bold**` markers, rendered as plain text or escaped HTML. */
export type TemplateVars = Readonly<Record<string, string>>;

const TOKEN = /\{\{(\w+)\}\}|\*\*/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * A user-provided value (a name, a project name, a client description) made safe for any position:
 * control characters (CR/LF included) become spaces, every run of whitespace one space, the result is
 * trimmed and cut to `max`.
 */
export function cleanValue(value: unknown, max = 100): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(CONTROL_CHARACTERS_ALL, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
}

/** A header value on one line: CR, LF and other controls removed. */
export function headerValue(value: string, max = 250): string {
  return cleanValue(value, max);
}

export class MissingTemplateVariableError extends Error {
  constructor(name: string) {
    super(`template variable {{${name}}} has no value`);
    this.name = 'MissingTemplateVariableError';
  }
}

/** Fills a template. In `html` mode literal text and values are escaped and `**` becomes `<strong>`. */
export function fill(template: string, vars: TemplateVars, mode: 'text' | 'html' = 'text'): string {
  const esc = mode === 'html' ? escapeHtml : (s: string) => s;
  let out = '';
  let last = 0;
  let bold = false;
  for (const match of template.matchAll(TOKEN)) {
    out += esc(template.slice(last, match.index));
    if (match[0] === '**') {
      if (mode === 'html') out += bold ? '</strong>' : '<strong>';
      bold = !bold;
    } else {
      const value = Object.prototype.hasOwnProperty.call(vars, match[1]) ? vars[match[1]] : undefined;
      if (value === undefined) throw new MissingTemplateVariableError(match[1]);
      out += esc(value);
    }
    last = (match.index ?? 0) + match[0].length;
  }
  out += esc(template.slice(last));
  if (bold && mode === 'html') out += '</strong>';
  return out;
}

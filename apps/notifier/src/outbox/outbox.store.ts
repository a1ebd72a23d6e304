import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutgoingMessage } from '../channels/message-channel';

/** A message as the outbox keeps it. */
export interface OutboxEntry {
  id: string;
  channel: 'email' | 'sms';
  from: string;
  to: string;
  subject?: string;
  text: string;
  html?: string;
  /** ISO 8601 */
  createdAt: string;
}

const HTML_SEPARATOR = '\n\n----- HTML -----\n';
/** newest files looked at when searching for an address */
const SCAN_LIMIT = 2000;

/**
 * The development outbox: one plain-text file a message under `<DATA_DIR>/outbox`, named so that
 * `ls` lists them in order (`20260101T120000123Z-email-1a2b3c4d.txt`), with mail-like headers a
 * person can read, then the text (and for email the HTML). Never used in production.
 */
export class OutboxStore {
  constructor(readonly dir: string) {}

  async write(message: OutgoingMessage, from: string, now: Date = new Date()): Promise<OutboxEntry> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
    const id = `${stamp}-${message.channel}-${randomBytes(4).toString('hex')}`;
    const entry: OutboxEntry =
      message.channel === 'email'
        ? {
            id,
            channel: 'email',
            from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
            createdAt: now.toISOString(),
          }
        : { id, channel: 'sms', from, to: message.to, text: message.body, createdAt: now.toISOString() };
    await writeFile(join(this.dir, `${id}.txt`), format(entry), { mode: 0o600, flag: 'wx' });
    return entry;
  }

  /** The latest messages sent to `to` (email addresses compared case-insensitively), newest first. */
  async latest(to: string, limit = 10): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.txt'));
    } catch {
      return [];
    }
    const wanted = to.trim().toLowerCase();
    const found: OutboxEntry[] = [];
    for (const name of names.sort().reverse().slice(0, SCAN_LIMIT)) {
      const entry = parse(name.slice(0, -4), await readFile(join(this.dir, name), 'utf8').catch(() => ''));
      if (entry && entry.to.toLowerCase() === wanted) found.push(entry);
      if (found.length >= limit) break;
    }
    return found;
  }
}

function format(entry: OutboxEntry): string {
  const headers = [`Channel: ${entry.channel}`, `From: ${entry.from}`, `To: ${entry.to}`];
  if (entry.subject !== undefined) headers.push(`Subject: ${entry.subject}`);
  headers.push(`Date: ${entry.createdAt}`);
  return `${headers.join('\n')}\n\n${entry.text}${entry.html !== undefined ? `${HTML_SEPARATOR}${entry.html}` : ''}\n`;
}

function parse(id: string, content: string): OutboxEntry | undefined {
  const split = content.indexOf('\n\n');
  if (split < 0) return undefined;
  const headers = new Map<string, string>();
  for (const line of content.slice(0, split).split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const channel = headers.get('channel');
  if (channel !== 'email' && channel !== 'sms') return undefined;
  const body = content.slice(split + 2).replace(/\n$/, '');
  const htmlAt = body.indexOf(HTML_SEPARATOR);
  return {
    id,
    channel,
    from: headers.get('from') ?? '',
    to: headers.get('to') ?? '',
    ...(headers.has('subject') ? { subject: headers.get('subject') } : {}),
    text: htmlAt >= 0 ? body.slice(0, htmlAt) : body,
    ...(htmlAt >= 0 ? { html: body.slice(htmlAt + HTML_SEPARATOR.length) } : {}),
    createdAt: headers.get('date') ?? '',
  };
}

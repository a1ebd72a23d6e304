import { escapeHtml, fill, TemplateVars } from './template-text';

/** The pieces an email is made of; each renders to both the text and the HTML part. */
export type EmailBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** a one-time code, shown large */
  | { kind: 'code'; code: string }
  /** a call to action; `href` must already be a checked http(s) URL */
  | { kind: 'button'; label: string; href: string }
  /** a URL shown in full (fallback for the button) */
  | { kind: 'url'; href: string };

export interface EmailDocument {
  lang: string;
  subject: string;
  /** inbox preview line (hidden in the body) */
  preview: string;
  blocks: EmailBlock[];
  vars: TemplateVars;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function htmlBlock(block: EmailBlock, vars: TemplateVars): string {
  switch (block.kind) {
    case 'heading':
      return `<h1 style="${FONT};font-size:20px;line-height:28px;margin:0 0 16px;color:#111827">${fill(block.text, vars, 'html')}</h1>`;
    case 'paragraph':
      return `<p style="${FONT};font-size:15px;line-height:22px;margin:0 0 16px;color:#374151">${fill(block.text, vars, 'html').replace(/\n/g, '<br>')}</p>`;
    case 'code':
      return `<p style="font-family:'SFMono-Regular',Menlo,Consolas,monospace;font-size:32px;font-weight:700;letter-spacing:8px;margin:8px 0 24px;padding:16px;background:#f3f4f6;border-radius:8px;text-align:center;color:#111827">${escapeHtml(block.code)}</p>`;
    case 'button':
      return `<p style="margin:8px 0 24px"><a href="${escapeHtml(block.href)}" style="${FONT};display:inline-block;padding:12px 20px;background:#2563eb;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${fill(block.label, vars, 'html')}</a></p>`;
    case 'url':
      return `<p style="${FONT};font-size:13px;line-height:20px;margin:0 0 16px;word-break:break-all"><a href="${escapeHtml(block.href)}" style="color:#2563eb">${escapeHtml(block.href)}</a></p>`;
  }
}

function textBlock(block: EmailBlock, vars: TemplateVars): string {
  switch (block.kind) {
    case 'heading':
    case 'paragraph':
      return fill(block.text, vars, 'text');
    case 'code':
      return `    ${block.code}`;
    case 'button':
      return `${fill(block.label, vars, 'text')}: ${block.href}`;
    case 'url':
      return block.href;
  }
}

/** Renders one document into a subject, a text part and an HTML part with the same content. */
export function renderEmail(doc: EmailDocument, subject: string): RenderedEmail {
  const text = doc.blocks.map((b) => textBlock(b, doc.vars)).join('\n\n');
  const body = doc.blocks.map((b) => htmlBlock(b, doc.vars)).join('\n');
  const html = `<!DOCTYPE html>
<html lang="${escapeHtml(doc.lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f9fafb">
<span style="display:none;max-height:0;overflow:hidden;opacity:0">${fill(doc.preview, doc.vars, 'html')}</span>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f9fafb"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px"><tr><td style="padding:32px">
${body}
</td></tr></table>
</td></tr></table>
</body>
</html>
`;
  return { subject, text, html };
}

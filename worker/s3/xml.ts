/**
 * @module The little XML S3 speaks: writing response documents, and reading the two request
 * bodies we accept (CompleteMultipartUpload, Delete). Their schemas are flat, so a few regular
 * expressions over well-formed documents do; anything else is MalformedXML.
 */

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes entity and character references; null when one is unknown or malformed. */
export function unescapeXml(text: string): string | null {
  if (/&(?!(?:#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);)/.test(text)) return null;
  let bad = false;
  const out = text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? ((bad = true), '');
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0x10ffff ? ((bad = true), '') : String.fromCodePoint(code);
  });
  return bad ? null : out;
}

/** `content` as a string is text (escaped); as an array, child elements already written. */
export function xmlElement(name: string, content: string | string[], attributes: Record<string, string> = {}): string {
  const attrs = Object.entries(attributes).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  const inner = typeof content === 'string' ? escapeXml(content) : content.join('');
  return `<${name}${attrs}>${inner}</${name}>`;
}

export function xmlDocument(root: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}`;
}

/** The content of the document's root element, if the root is `name`. */
function rootContent(xml: string, name: string): string | null {
  const match = new RegExp(`^\\s*(?:<\\?xml[^>]*\\?>)?\\s*<${name}(?:\\s[^>]*)?>([\\s\\S]*)</${name}>\\s*$`).exec(xml);
  return match ? match[1]! : null;
}

function children(content: string, name: string): string[] {
  return [...content.matchAll(new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]!);
}

function childText(content: string, name: string): string | null | undefined {
  const found = children(content, name);
  if (found.length === 0) return undefined;
  if (found.length > 1) return null;
  return unescapeXml(found[0]!);
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

export function parseCompleteMultipartUpload(xml: string): CompletedPart[] | null {
  const content = rootContent(xml, 'CompleteMultipartUpload');
  if (content === null) return null;
  const parts: CompletedPart[] = [];
  for (const part of children(content, 'Part')) {
    const number = childText(part, 'PartNumber');
    const etag = childText(part, 'ETag');
    if (!number || !/^\d+$/.test(number) || !etag) return null;
    parts.push({ partNumber: Number(number), etag });
  }
  return parts;
}

export interface DeleteRequest {
  quiet: boolean;
  keys: string[];
}

export function parseDelete(xml: string): DeleteRequest | null {
  const content = rootContent(xml, 'Delete');
  if (content === null) return null;
  const quiet = childText(content.replace(/<Object(?:\s[^>]*)?>[\s\S]*?<\/Object>/g, ''), 'Quiet');
  if (quiet === null) return null;
  const keys: string[] = [];
  for (const object of children(content, 'Object')) {
    const key = childText(object, 'Key');
    if (key === undefined || key === null) return null;
    keys.push(key);
  }
  return { quiet: quiet?.trim() === 'true', keys };
}

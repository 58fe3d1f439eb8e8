/** Image kinds shown inline, each recognised by the first bytes of its content. SVG is none of them: it can carry script. */
export type ImageKind = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

const starts = (data: Buffer, bytes: number[], at = 0) => data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** What the content is, by its magic bytes, whatever its name or the browser says; null for anything not an inline image. */
export function imageKind(data: Buffer): ImageKind | null {
  if (starts(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(data, ascii('GIF87a')) || starts(data, ascii('GIF89a'))) return 'image/gif';
  if (starts(data, ascii('RIFF')) && starts(data, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

/**
 * A file name as stored and shown: the last part of any path the browser sent
 * ("../../etc/passwd" is "passwd"), without control characters or leading
 * dots, at most 200 characters; "file" when nothing is left.
 */
export function cleanFileName(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const plain = last.replace(/[\u0000-\u001f\u007f-\u009f"<>|:*?]/g, '').replace(/^[.\s]+/, '').trim();
  return [...plain].slice(0, 200).join('') || 'file';
}

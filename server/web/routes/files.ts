import busboy from 'busboy';
import type { Request, Response } from 'express';
import { AppError, NotFoundError } from '../../errors';
import { openFile, storeFile } from '../../files/files';
import { fileSize } from '../../markup/references';
import type { AppDeps } from '../deps';
import { requireCapability } from '../guards';

/** Reads the one file of a multipart upload into memory, refusing it past `max` bytes before storing anything. */
function readUpload(req: Request, max: number): Promise<{ name: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    // Any other body was read already, by the form parser: there is no file in it.
    if (!req.is('multipart/form-data')) return reject(new AppError(400, 'bad-upload', 'Send the file as multipart/form-data, in a field named "file".'));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: max, fields: 5, parts: 6 } });
    } catch {
      return reject(new AppError(400, 'bad-upload', 'Send the file as multipart/form-data, in a field named "file".'));
    }
    let found: { name: string; data: Buffer } | null = null;
    let failure: AppError | null = null;
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failure = new AppError(413, 'too-large', `This file is too large: at most ${fileSize(max)}.`);
      });
      stream.on('end', () => {
        if (field === 'file' && !failure) found = { name: info.filename ?? '', data: Buffer.concat(chunks) };
      });
    });
    parser.on('error', () => reject(new AppError(400, 'bad-upload', 'The upload was cut off or malformed; try again.')));
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (!found) reject(new AppError(400, 'bad-upload', 'Send the file as multipart/form-data, in a field named "file".'));
      else resolve(found);
    });
    req.pipe(parser);
  });
}

/** `filename*` (RFC 6266) keeps any name intact; the plain `filename` is its ASCII shadow for old clients. */
function disposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function fileRoutes(deps: AppDeps) {
  return {
    /**
     * POST /file/upload, multipart with one field "file"; the CSRF token comes as the
     * X-CSRF-Token header (checked before the body is read). Answers JSON: the
     * `{F12}` to insert. A body past the configured size is refused with 413
     * before the rest of it is read.
     */
    async upload(req: Request, res: Response) {
      const viewer = requireCapability(req, 'task.comment', 'You do not have permission to upload files.');
      const declared = Number(req.get('Content-Length'));
      if (Number.isFinite(declared) && declared > deps.config.maxFileBytes + 64 * 1024) {
        res.set('Connection', 'close');
        throw new AppError(413, 'too-large', `This file is too large: at most ${fileSize(deps.config.maxFileBytes)}.`);
      }
      const upload = await readUpload(req, deps.config.maxFileBytes);
      const stored = await storeFile(deps.db, viewer, upload.name, upload.data);
      res.status(201).json({ id: stored.id, monogram: `F${stored.id}`, name: stored.name, markup: `{F${stored.id}}` });
    },

    /**
     * GET /file/data/F12/name: the bytes, for whoever may see the file. An image
     * its content proves to be shows inline as that type; anything else (SVG,
     * HTML, a PNG name on other content) is a download of application/octet-stream.
     * A sandbox policy makes sure nothing from this path ever runs.
     */
    async data(req: Request, res: Response) {
      const match = /^F([1-9][0-9]{0,9})$/.exec(String(req.params.file ?? ''));
      if (!match) throw new NotFoundError();
      const { file, data } = await openFile(deps.db, req.viewer, Number(match[1]));
      res.set({
        'Content-Type': file.kind ?? 'application/octet-stream',
        'Content-Disposition': disposition(file.kind ? 'inline' : 'attachment', file.name),
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, max-age=3600',
      });
      res.send(data);
    },
  };
}

// Serving the built client (dist/client):
// - the brotli or gzip copy written at build time (client/build/precompress.ts) when the browser
//   accepts it, with Content-Encoding and Vary: Accept-Encoding; a copy older than its original
//   (left over from another build) is never sent — the original goes out instead, compressed on
//   the fly by the compression middleware;
// - hashed files under /assets/ cached for a year as immutable (a new build has new names);
//   index.html revalidated on every load (no-cache), so a deploy is seen at once;
// - source maps only when SOURCE_MAPS=true (then JavaScript names its map in a SourceMap header);
// - any other path that is not a file gets index.html (the client's router takes it from there),
//   except under /assets/, where a missing file is a 404 rather than HTML posing as a script.
import fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import Negotiator from 'negotiator';
import { AppError } from './errors.ts';

export interface ClientFilesOptions {
  /** Folder of the built client; must hold index.html. */
  dir: string;
  /** Serve *.map files and point JavaScript at them. */
  sourceMaps: boolean;
}

/** Vite's assetsDir: every file below it carries a content hash in its name. */
const HASHED_DIR = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Encodings written at build time, best first (brotli is ~15 % smaller than gzip on our JS). */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|webmanifest)$/;

async function fileStat(file: string): Promise<Stats | null> {
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? stat : null;
  } catch {
    return null;
  }
}

/** The request path as a file below root, or null when it is not a plain, visible path. */
function fileFor(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  // Dot segments (.., .vite/manifest.json, .DS_Store) are never files of the site.
  if (decoded.split('/').some((segment) => segment.startsWith('.'))) return null;
  const file = path.join(root, decoded);
  return file.startsWith(root + path.sep) ? file : null;
}

export function clientFiles(options: ClientFilesOptions): RequestHandler {
  const root = path.resolve(options.dir);
  const indexFile = path.join(root, 'index.html');

  async function send(req: Request, res: Response, next: NextFunction, file: string, stat: Stats, urlPath: string) {
    let sent = file;
    if (COMPRESSIBLE.test(file)) {
      res.vary('Accept-Encoding');
      const available: Array<{ encoding: string; file: string }> = [];
      for (const { encoding, suffix } of PRECOMPRESSED) {
        const copy = await fileStat(file + suffix);
        // Stale guard: the copy must have been written after (or with) the original.
        if (copy && copy.mtimeMs >= stat.mtimeMs) available.push({ encoding, file: file + suffix });
      }
      const chosen = new Negotiator(req).encoding([...available.map((a) => a.encoding), 'identity'], {
        preferred: PRECOMPRESSED.map((p) => p.encoding),
      });
      const copy = available.find((a) => a.encoding === chosen);
      if (copy) {
        sent = copy.file;
        res.setHeader('Content-Encoding', copy.encoding);
      }
    }
    res.type(path.extname(file));
    res.setHeader('Cache-Control', urlPath.startsWith(HASHED_DIR) ? IMMUTABLE : REVALIDATE);
    if (options.sourceMaps && file.endsWith('.js') && (await fileStat(`${file}.map`))) {
      res.setHeader('SourceMap', `${path.basename(file)}.map`);
    }
    res.sendFile(sent, { cacheControl: false, dotfiles: 'allow' }, (err?: Error) => {
      if (err && !res.headersSent) next(err);
    });
  }

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const urlPath = req.path;
    void (async () => {
      const file = fileFor(root, urlPath);
      const isMap = file?.endsWith('.map') ?? false;
      const stat = file && (!isMap || options.sourceMaps) ? await fileStat(file) : null;
      if (file && stat) return send(req, res, next, file, stat, urlPath);
      if (urlPath.startsWith(HASHED_DIR) || isMap) {
        return next(new AppError(404, 'not_found', `No file ${urlPath}.`));
      }
      const index = await fileStat(indexFile);
      if (!index) return next();
      return send(req, res, next, indexFile, index, '/index.html');
    })().catch(next);
  };
}

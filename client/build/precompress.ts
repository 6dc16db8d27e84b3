// Vite plugin: after `vite build` writes the client, write a brotli (.br) and a gzip (.gz) copy
// beside every text asset, so the server sends compressed files without compressing on each
// request (server/lib/client-files.ts picks the copy the browser accepts). node:zlib only: no
// native add-on, no install script. Source maps are left alone (served only on request).
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Text assets worth compressing; .map files are excluded on purpose. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|webmanifest)$/;
/**
 * Below this size compression saves less than a TCP packet; the same threshold as the server's
 * on-the-fly compression (server/app.ts), so a file is either precompressed or too small to bother.
 */
export const PRECOMPRESS_MIN_BYTES = 1024;

export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'activegroups:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async writeBundle(output, bundle) {
      const dir = output.dir ?? outDir;
      // .vite/manifest.json is build metadata (never served).
      const files = Object.keys(bundle).filter((name) => COMPRESSIBLE.test(name) && !name.startsWith('.vite/'));
      await Promise.all(
        files.map(async (name) => {
          const file = path.join(dir, name);
          const data = await fs.readFile(file);
          if (data.length < PRECOMPRESS_MIN_BYTES) return;
          const [br, gz] = await Promise.all([
            brotli(data, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
                [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
              },
            }),
            gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
          ]);
          // Written after the original, so their modification time is never older than it:
          // the server uses that to refuse a copy left over from another build.
          await Promise.all([fs.writeFile(`${file}.br`, br), fs.writeFile(`${file}.gz`, gz)]);
        }),
      );
    },
  };
}

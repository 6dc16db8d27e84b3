// Vite plugin: each language's texts in their own chunk, while every per-feature text file keeps
// both languages side by side (client/src/i18n/register.ts exports registerEn and registerZh).
//
// A bundler puts a module in exactly one chunk, so register.ts imported by both en.ts and zh-CN.ts
// would carry both languages into whichever chunk loads first. Here, a sibling imported by a
// language file (en.ts, zh-CN.ts) resolves to its own copy, `register.ts?lang=en`; tree-shaking
// then keeps only what that language file uses (registerEn in one copy, registerZh in the
// other). Sources, types and tsc's same-keys check are untouched. Build only: the dev server
// bundles nothing, so there is nothing to split.
import path from 'node:path';
import type { Plugin } from 'vite';

/** Message catalogues (file name → language), each loaded on demand by i18n/index.ts. */
const LANGUAGE_FILES: Record<string, string> = { 'en.ts': 'en', 'zh-CN.ts': 'zh-CN' };

export function languageSplit(i18nDir: string): Plugin {
  const dir = path.resolve(i18nDir);
  return {
    name: 'activegroups:language-split',
    apply: 'build',
    // Before Vite's own resolver, which would otherwise resolve the sibling first.
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !source.startsWith('./')) return null;
      const importerFile = importer.split('?')[0] ?? importer;
      const lang = LANGUAGE_FILES[path.basename(importerFile)];
      if (!lang || path.dirname(importerFile) !== dir) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved || resolved.external || path.dirname(resolved.id) !== dir) return resolved;
      return `${resolved.id}?lang=${lang}`;
    },
  };
}

// The instrument form's flat fields ⇄ a definition (pure; the shared schema validates the result).
import type { InstrumentDefinition, InstrumentDefinitionInput } from '../../../../shared/schemas/instrument.ts';

export interface InstrumentForm {
  code: string;
  label: string;
  nameEn: string;
  nameZh: string;
  languages: ('en' | 'zh-CN')[];
  itemCount: string;
  min: string;
  max: string;
  reverse: string;
  subscales: string;
  scoring: 'sum' | 'mean';
  polarity: 'higher-is-worse' | 'higher-is-better';
  cutoff: string;
  cutoffEn: string;
  cutoffZh: string;
  alpha: string;
  alphaSource: string;
  maxMissing: string;
  licence: string;
  domain: InstrumentDefinition['domain'];
}

export const emptyForm: InstrumentForm = {
  code: '',
  label: '',
  nameEn: '',
  nameZh: '',
  languages: ['zh-CN'],
  itemCount: '10',
  min: '0',
  max: '4',
  reverse: '',
  subscales: '',
  scoring: 'sum',
  polarity: 'higher-is-worse',
  cutoff: '',
  cutoffEn: '',
  cutoffZh: '',
  alpha: '',
  alphaSource: '',
  maxMissing: '1',
  licence: '',
  domain: 'anxiety',
};

const nums = (s: string) =>
  s
    .split(/[,，\s]+/)
    .filter(Boolean)
    .map(Number);

export function formFromDefinition(d: InstrumentDefinition): InstrumentForm {
  const c = d.cutoffs[0];
  return {
    code: d.code,
    label: d.version,
    nameEn: d.name.en,
    nameZh: d.name.zh,
    languages: [...d.languages],
    itemCount: String(d.items.length),
    min: String(d.response.min),
    max: String(d.response.max),
    reverse: d.reverseItems.join(', '),
    subscales: d.subscales.map((s) => [s.code, s.name.en, s.name.zh, s.items.join(','), s.cutoff ?? ''].join(' | ')).join('\n'),
    scoring: d.scoring,
    polarity: d.polarity,
    cutoff: c ? String(c.value) : '',
    cutoffEn: c?.label.en ?? '',
    cutoffZh: c?.label.zh ?? '',
    alpha: d.reliability?.alpha !== undefined ? String(d.reliability.alpha) : '',
    alphaSource: d.reliability?.sourceText ?? '',
    maxMissing: String(d.maxMissingItems),
    licence: d.licenceNote,
    domain: d.domain,
  };
}

/**
 * Builds the definition; item texts, answer labels, extra cut-offs and a published α range of
 * `base` are kept (the form does not edit them) as long as the item count is unchanged.
 */
export function definitionFromForm(f: InstrumentForm, base: InstrumentDefinition | null): InstrumentDefinitionInput {
  const k = Number(f.itemCount);
  const keepItems = base && base.items.length === k;
  const subscales = f.subscales
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [code = '', en = '', zh = '', items = '', cutoff = ''] = line.split('|').map((p) => p.trim());
      const baseSub = base?.subscales.find((s) => s.code === code);
      return {
        code,
        name: { en: en || code, zh: zh || en || code },
        items: nums(items),
        ...(cutoff !== '' ? { cutoff: Number(cutoff) } : {}),
        ...(baseSub?.maxMissingItems !== undefined ? { maxMissingItems: baseSub.maxMissingItems } : {}),
      };
    });
  const reliability =
    f.alpha !== '' || base?.reliability?.alphaRange
      ? {
          ...(f.alpha !== '' ? { alpha: Number(f.alpha) } : {}),
          ...(base?.reliability?.alphaRange ? { alphaRange: base.reliability.alphaRange } : {}),
          sourceText: f.alphaSource || base?.reliability?.sourceText || '',
        }
      : undefined;
  return {
    code: f.code.trim(),
    version: f.label.trim(),
    name: { en: f.nameEn.trim(), zh: f.nameZh.trim() },
    languages: f.languages,
    items: keepItems && base ? base.items : Array.from({ length: Number.isInteger(k) && k > 0 ? k : 0 }, (_, i) => ({ number: i + 1 })),
    response: { min: Number(f.min), max: Number(f.max), ...(base?.response.labels && base.response.min === Number(f.min) && base.response.max === Number(f.max) ? { labels: base.response.labels } : {}) },
    reverseItems: nums(f.reverse),
    subscales,
    scoring: f.scoring,
    polarity: f.polarity,
    cutoffs:
      f.cutoff !== ''
        ? [{ value: Number(f.cutoff), label: { en: f.cutoffEn || `≥ ${f.cutoff}`, zh: f.cutoffZh || f.cutoffEn || `≥ ${f.cutoff}` }, ...(base?.cutoffs[0]?.sourceText ? { sourceText: base.cutoffs[0].sourceText } : {}) }, ...(base?.cutoffs.slice(1) ?? [])]
        : [],
    ...(reliability ? { reliability } : {}),
    maxMissingItems: Number(f.maxMissing),
    licenceNote: f.licence.trim(),
    domain: f.domain,
  };
}

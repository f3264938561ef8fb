// Latin letters with no decomposition into a base letter and marks, spelled as people type them without the key.
const LATIN_FOLDS: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't', ŋ: 'n' };

/**
 * The key names are matched and sorted by: compatibility-decomposed, marks dropped, lowercased, and the Latin
 * letters above spelled out. "Émile", "emile" and "EMILE" all fold to "emile", and "Øyvind" sorts among the O's.
 * SQLite's NOCASE folds ASCII only, so names starting with É or Ø could not be found by what a colleague typed.
 */
export function foldKey(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[øæœßđðłþıħŧŋ]/g, (ch) => LATIN_FOLDS[ch]);
}

// Issue 10 item 2: the writers' escaping of stored text for R, SPSS, Markdown and spreadsheets.
import { describe, expect, it } from 'vitest';
import { markdownText, rComment, rString, spreadsheetText, spssComment, spssString } from '../../shared/domain/escape.ts';
import { nameTextProblem, withVisibleText } from '../../shared/schemas/text.ts';

const hostile = 'a"b\'c\\d\ne\rf\u0000g\u202Eh\u2066i\u2028j|k`l<m>*/. ';

describe('escaping stored text', () => {
  it('when text goes into an R string, then it is one literal: quotes and backslashes escaped, controls as \\u{…}, NUL shown', () => {
    const s = rString(hostile);
    expect(s).not.toMatch(/[\n\r\u0000\u202E\u2066\u2028]/);
    expect(s.slice(1, -1).replace(/\\./g, '')).not.toContain('"');
    expect(s).toContain('\\u{000A}');
    expect(s).toContain('<U+0000>');
    expect(rComment(hostile)).not.toMatch(/[\n\r]/);
  });

  it('when text goes into SPSS, then a literal doubles its quotes and a comment stays one line without a closing period', () => {
    const s = spssString(hostile);
    expect(s.slice(1, -1).replace(/''/g, '')).not.toContain("'");
    expect(s).not.toMatch(/[\n\r\u0000]/);
    expect(spssComment('Club.\nEXECUTE.  ')).toBe('Club.<U+000A>EXECUTE');
  });

  it('when text goes into Markdown, then every character with a meaning is escaped and it stays one line', () => {
    expect(markdownText('| a | `b` <i>[x](y)</i>\nz')).toBe('\\| a \\| \\`b\\` \\<i\\>\\[x\\](y)\\</i\\> z');
  });

  it('when text goes into a spreadsheet cell, then formulas become text, also after spaces or in full width', () => {
    expect(spreadsheetText("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(spreadsheetText('\t=1+2')).toBe("' =1+2");
    expect(spreadsheetText('＝1+2')).toBe("'＝1+2");
    expect(spreadsheetText('Football')).toBe('Football');
  });

  it('when a name is checked, then controls, bidi and invisible-only text are named; stored text can be made visible', () => {
    expect(nameTextProblem('a\nb')).toMatch(/control/);
    expect(nameTextProblem('a\u202Eb')).toMatch(/text-direction/);
    expect(nameTextProblem('\u200B\u200B')).toMatch(/visible/);
    expect(nameTextProblem('足球 "club" | =1')).toBeNull();
    expect(withVisibleText({ a: ['x\ny\u202E', '\u200B'] })).toEqual({ a: ['x y<U+202E>', '<U+200B>'] });
  });
});

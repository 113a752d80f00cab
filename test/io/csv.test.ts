/**
 * readCSV (the native streaming reader): RFC 4180 quoting, missing-value strings, header detection,
 * categorical codes and their mapping round trip, errors naming line and column, chunk boundaries
 * (files larger than the chunk, tiny chunks), and every cell of a generated file against a
 * straightforward JS parse of the same text (the reference: Number() for numbers, codes in order of
 * first appearance for strings).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidParameterError, readCSV } from '../../lib/index.js';
import { Random } from '../../lib/core/random.js';

const dir = mkdtempSync(join(tmpdir(), 'ensemblekit-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The reference: RFC 4180 split into [text, quoted] fields, skipping blank lines. */
function jsParse(text: string): { text: string; quoted: boolean }[][] {
  const rows: { text: string; quoted: boolean }[][] = [];
  let row: { text: string; quoted: boolean }[] = [];
  let i = 0;
  const n = text.length;
  let atRecordStart = true;
  while (i < n) {
    if (atRecordStart && (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n'))) {
      i += text[i] === '\r' ? 2 : 1;
      continue;
    }
    atRecordStart = false;
    let field = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\n') field += text[i++];
      if (field.endsWith('\r') && (i >= n || text[i] === '\n')) field = field.slice(0, -1);
    }
    row.push({ text: quoted ? field : field.trim(), quoted });
    if (i < n && text[i] === ',') {
      i++;
      if (i >= n) row.push({ text: '', quoted: false });
      continue;
    }
    i++; // newline or end
    rows.push(row);
    row = [];
    atRecordStart = true;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NA = new Set(['', 'NA', 'NaN', 'nan', 'null']);

/** Reference conversion of split rows (first row a header) to column values. */
function jsTable(rows: { text: string }[][]): { names: string[]; data: number[][]; categories: Record<string, string[]> } {
  const names = rows[0]!.map((f) => f.text);
  const body = rows.slice(1);
  const categorical = names.map((_, c) => body.some((r) => !NA.has(r[c]!.text) && !NUMBER.test(r[c]!.text.trim())));
  const categories: Record<string, string[]> = {};
  const data = body.map((r) =>
    r.map((f, c) => {
      const t = f.text.trim();
      if (NA.has(f.text) || NA.has(t)) return NaN;
      if (!categorical[c]) return Number(t);
      const key = NUMBER.test(t) ? String(Number(t)) : f.text;
      const list = (categories[names[c]!] ??= []);
      let code = list.indexOf(key);
      if (code < 0) code = list.push(key) - 1;
      return code;
    }),
  );
  return { names, data, categories };
}

function rowsOf(X: { data: Float64Array; rows: number; cols: number }): number[][] {
  return Array.from({ length: X.rows }, (_, r) => Array.from(X.data.subarray(r * X.cols, (r + 1) * X.cols)));
}

describe('readCSV: fields', () => {
  it('reads RFC 4180 quotes: "" escapes, delimiters and newlines inside quotes', () => {
    const t = readCSV(buf('id,name\n1,"a ""b"""\n2,"x,y"\n3,"two\nlines"\n4,plain\n5,"a ""b"""\n'));
    expect(t.featureNames).toEqual(['id', 'name']);
    expect(t.categories).toEqual({ name: ['a "b"', 'x,y', 'two\nlines', 'plain'] });
    expect(rowsOf(t.X)).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 0],
    ]);
  });

  it("reads '', NA, NaN, nan and null as missing, in numeric and categorical columns; naValues replaces the list", () => {
    const t = readCSV(buf('a,b\n1,x\n,NA\nNaN,null\n null ,y\n4, \nnan,nan\n'));
    expect(rowsOf(t.X)).toEqual([
      [1, 0],
      [NaN, NaN],
      [NaN, NaN],
      [NaN, 1],
      [4, NaN],
      [NaN, NaN],
    ]);
    expect(t.categories).toEqual({ b: ['x', 'y'] });
    const custom = readCSV(buf('a,b\n-,1\nNA,2\n'), { naValues: ['-'] });
    expect(custom.X.data[0]).toBeNaN();
    expect(custom.categories).toEqual({ a: ['NA'] });
  });

  it('parses numbers exactly as Number() does, on the fast and the strtod paths', () => {
    const rng = new Random(7);
    const values: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = (rng.random() - 0.5) * 10 ** Math.floor(rng.random() * 40 - 20);
      values.push(i % 3 === 0 ? x.toPrecision(17) : i % 3 === 1 ? x.toFixed(6) : String(x));
    }
    values.push('1e308', '-0', '.5', '5.', '+3', '1E-5', '123456789012345678901234567890', '0.000000000000000000000000001', '9007199254740993', '2.2250738585072014e-308');
    const t = readCSV(buf('v\n' + values.join('\n') + '\n'));
    expect(t.X.rows).toBe(values.length);
    values.forEach((s, i) => expect(Object.is(t.X.data[i], Number(s)), s).toBe(true));
  });

  it('keys numbers in a categorical column by their value (1 and 1.0 are one category)', () => {
    const t = readCSV(buf('c\n1\n1.0\nx\n2\n01\n'));
    expect(t.categories).toEqual({ c: ['1', 'x', '2'] });
    expect(Array.from(t.X.data)).toEqual([0, 0, 1, 2, 0]);
    // `categorical` forces a numeric-looking column to categories.
    const forced = readCSV(buf('a,b\n10,1\n20,2\n10,3\n'), { categorical: ['a'] });
    expect(forced.categories).toEqual({ a: ['10', '20'] });
    expect(Array.from(forced.X.data)).toEqual([0, 1, 1, 2, 0, 3]);
  });

  it('accepts a UTF-8 BOM, CRLF line ends, blank lines and a last line without a newline', () => {
    const t = readCSV(buf('\uFEFFa,b\r\n1,2\r\n\r\n3,"4"\r\n\n5,6'));
    expect(t.featureNames).toEqual(['a', 'b']);
    expect(rowsOf(t.X)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it('uses another delimiter', () => {
    const t = readCSV(buf('a;b\n1,5;2\n'), { delimiter: ';' });
    expect(t.categories).toEqual({ a: ['1,5'] });
    expect(() => readCSV(buf('a\n'), { delimiter: '"' })).toThrow(InvalidParameterError);
  });
});

describe('readCSV: header and target', () => {
  it('detects a header: all fields non-numeric and non-missing', () => {
    expect(readCSV(buf('a,b\n1,2\n')).header).toBe(true);
    const none = readCSV(buf('1,2\n3,4\n'));
    expect(none.header).toBe(false);
    expect(none.featureNames).toEqual(['x0', 'x1']);
    expect(none.X.rows).toBe(2);
    // A missing value or a number in the first line means data.
    expect(readCSV(buf('a,NA\nb,2\n')).header).toBe(false);
    expect(readCSV(buf('a,1\nb,2\n')).header).toBe(false);
    // Forcing it off reads the first line as data (strings: categorical).
    const forced = readCSV(buf('a,b\n1,2\n'), { header: false });
    expect(forced.X.rows).toBe(2);
    expect(forced.categories).toEqual({ x0: ['a', '1'], x1: ['b', '2'] });
  });

  it('splits off the target by name or index; a string target comes back as its strings', () => {
    const text = 'x,label,z\n1,cat,3\n2,dog,4\n5,cat,6\n';
    const byName = readCSV(buf(text), { target: 'label' });
    expect(byName.y).toEqual(['cat', 'dog', 'cat']);
    expect(byName.targetName).toBe('label');
    expect(byName.featureNames).toEqual(['x', 'z']);
    expect(rowsOf(byName.X)).toEqual([
      [1, 3],
      [2, 4],
      [5, 6],
    ]);
    expect(byName.categories).toEqual({ label: ['cat', 'dog'] });
    const byIndex = readCSV(buf(text), { target: 2 });
    expect(Array.from(byIndex.y as Float64Array)).toEqual([3, 4, 6]);
    expect(byIndex.featureNames).toEqual(['x', 'label']);
    expect(() => readCSV(buf(text), { target: 'nope' })).toThrow(/no column named 'nope'.*'x', 'label', 'z'/);
    expect(() => readCSV(buf(text), { target: 3 })).toThrow(InvalidParameterError);
  });
});

describe('readCSV: categorical mapping', () => {
  const train = 'color,size,y\nred,1,0\nblue,2,1\ngreen,3,0\nred,4,1\n';
  const test = 'color,size,y\ngreen,1,0\npurple,2,1\nred,3,0\n';

  it('encodes a second file with the first one’s mapping; unseen categories become NaN', () => {
    const a = readCSV(buf(train), { target: 'y' });
    expect(a.categories).toEqual({ color: ['red', 'blue', 'green'] });
    const b = readCSV(buf(test), { target: 'y', categories: a.categories });
    expect(rowsOf(b.X)).toEqual([
      [2, 1],
      [NaN, 2],
      [0, 3],
    ]);
    expect(b.categories).toEqual(a.categories);
    // A mapping through JSON (as the CLI saves it) gives the same codes.
    const c = readCSV(buf(test), { target: 'y', categories: JSON.parse(JSON.stringify(a.categories)) });
    expect(Array.from(c.X.data)).toEqual(Array.from(b.X.data));
  });

  it("unknownCategory 'error' names the line and column; a string in a numeric column is refused in apply mode", () => {
    const a = readCSV(buf(train), { target: 'y' });
    expect(() => readCSV(buf(test), { target: 'y', categories: a.categories, unknownCategory: 'error' })).toThrow(
      /line 3, column 1 \('color'\): the category 'purple' is not in the mapping/,
    );
    expect(() => readCSV(buf('color,size,y\nred,big,0\n'), { target: 'y', categories: a.categories })).toThrow(/line 2, column 2 \('size'\): expected a number but found 'big'/);
    expect(() => readCSV(buf(test), { categories: { nope: ['a'] } })).toThrow(/no column named 'nope'/);
  });
});

describe('readCSV: errors', () => {
  it('names the line (counting newlines inside quotes) and the column', () => {
    let err: unknown;
    try {
      readCSV(buf('a,b\n1,"x\ny"\n2,3\n4,5,6\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).code).toBe('ERR_INVALID_INPUT');
    expect((err as Error).message).toBe('line 5: expected 2 fields but found 3');
    expect(() => readCSV(buf('a,b\n1,2\n3,"4\n5,6\n'))).toThrow(/line 3, column 2: unterminated quoted field/);
    expect(() => readCSV(buf('a,b\n1,"2"x\n'))).toThrow(/line 2, column 2: unexpected 'x' after a closing quote/);
    expect(() => readCSV(buf(''))).toThrow(/empty/);
    expect(() => readCSV(join(dir, 'missing.csv'))).toThrow(/Cannot open .*missing\.csv/);
  });

  it('names the file in errors for a path', () => {
    const p = join(dir, 'bad.csv');
    writeFileSync(p, 'a,b\n1,2\n3\n');
    expect(() => readCSV(p)).toThrow(`${p}: line 3: expected 2 fields but found 1`);
  });

  it('validates options', () => {
    expect(() => readCSV(buf('a\n1\n'), { chunkSize: 0 })).toThrow(InvalidParameterError);
    expect(() => readCSV(buf('a\n1\n'), { unknownCategory: 'skip' as never })).toThrow(InvalidParameterError);
    expect(() => readCSV(buf('a\n1\n'), { tagret: 'a' } as never)).toThrow(/Did you mean 'target'/);
  });
});

describe('readCSV: streaming', () => {
  // A generated file with numbers (short and 17-digit), quoted strings with commas, quotes and
  // newlines, missing values and CRLF lines: larger than the 1 MiB chunk.
  const rng = new Random(3);
  const words = ['alpha', 'beta', 'g,amma', 'del"ta', 'multi\nline', '  spaced  '];
  const lines = ['num,short,"cat, egory",mixed,last'];
  for (let r = 0; r < 30000; r++) {
    const w = words[Math.floor(rng.random() * words.length)]!;
    const q = `"${w.replace(/"/g, '""')}"`;
    const mixed = rng.random() < 0.1 ? 'NA' : rng.random() < 0.5 ? String(Math.floor(rng.random() * 5)) : 'txt';
    const cells = [String((rng.random() - 0.5) * 1e3), (rng.random() * 100).toFixed(2), q, mixed, rng.random() < 0.05 ? '' : String(r)];
    lines.push(cells.join(',') + (r % 7 === 0 ? '\r' : ''));
  }
  const text = lines.join('\n') + '\n';
  const path = join(dir, 'big.csv');
  writeFileSync(path, text);

  it('matches a straightforward JS parse of the same file, cell by cell', () => {
    expect(text.length).toBeGreaterThan(1 << 20);
    const t = readCSV(path);
    expect(t.bytesRead).toBe(Buffer.byteLength(text));
    const ref = jsTable(jsParse(text));
    expect(t.featureNames).toEqual(ref.names);
    expect(t.categories).toEqual(ref.categories);
    expect(t.X.rows).toBe(ref.data.length);
    const got = rowsOf(t.X);
    for (let r = 0; r < ref.data.length; r++) expect(got[r], `row ${r}`).toEqual(ref.data[r]);
  });

  it('gives the same table for any chunk size (records cut anywhere)', () => {
    const whole = readCSV(path);
    for (const chunkSize of [4096, 333, 7]) {
      const t = readCSV(path, { chunkSize });
      expect(t.categories).toEqual(whole.categories);
      expect(Array.from(t.X.data)).toEqual(Array.from(whole.X.data));
    }
    const small = 'a,b\n"x\r\ny",1\r\n"p""q",2\n';
    const ref = readCSV(buf(small));
    for (let chunkSize = 1; chunkSize < 8; chunkSize++) expect(readCSV(buf(small), { chunkSize }).categories).toEqual(ref.categories);
  });

  it('reads a Buffer as it reads the file', () => {
    const a = readCSV(Buffer.from(text), { target: 'last' });
    const b = readCSV(path, { target: 'last' });
    expect(Array.from(a.y as Float64Array)).toEqual(Array.from(b.y as Float64Array));
    expect(Array.from(a.X.data)).toEqual(Array.from(b.X.data));
  });
});

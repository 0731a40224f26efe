// The pieces of an export that need no warehouse: the CSV and JSON Lines encoders, how many rows a fetch
// asks for, how a batch of wide rows is cut before encoding, and the sizes the messages show.
import { strict as assert } from 'node:assert';
import { formatForPath, rowsText, sizeText } from '../../protocol/src/export';
import { encoderFor } from '../../server/src/export/exportFormats';
import { SLICE_CHARS, textSlices } from '../../server/src/export/exportModel';
import { FetchSize, type ResultColumn, type TextRow } from '../../server/src/warehouse/warehouse';

const text = (name: string): ResultColumn => ({ name, type: 'text', cell: (t) => t });

describe('export encoders, fetch sizes and slices', () => {
  it('CSV: NULL empty and unquoted, "" for the empty string, CR and LF quoted, quotes doubled; a lone \\. quoted only alone', () => {
    const two = encoderFor('csv', [text('a'), text('b,"c"')]);
    assert.equal(two.start(), 'a,"b,""c"""\n');
    assert.equal(two.rows([[null, ''], ['x\ry', 'l\nm'], ['\r', 'say "hi"'], ['\\.', ' sp ']]), ',""\n"x\ry","l\nm"\n"\r","say ""hi"""\n\\., sp \n');
    assert.equal(encoderFor('csv', [text('t')]).rows([['\\.'], [null], ['']]), '"\\."\n\n""\n');
  });

  it('JSON Lines: keys in order (a repeated name kept), cells from the column, null for NULL', () => {
    const columns: ResultColumn[] = [{ name: 'n', type: 'integer', cell: Number }, text('n'), text('__proto__')];
    assert.equal(encoderFor('jsonl', columns).rows([['1', 'x', null], [null, '', 'y']]), '{"n":1,"n":"x","__proto__":null}\n{"n":null,"n":"","__proto__":"y"}\n');
    assert.equal(encoderFor('jsonl', columns).start(), '');
  });

  it('a fetch starts at a few rows, at most doubles, and shrinks to the widest recent row', () => {
    const size = new FetchSize();
    assert.equal(size.count, 4);
    const narrow = (n: number): TextRow[] => Array.from({ length: n }, () => ['1', 'abc']);
    const counts = [size.after(narrow(4)), size.after(narrow(8)), size.after(narrow(16))];
    assert.deepEqual(counts, [8, 16, 32]);
    for (let i = 0; i < 10; i++) size.after(narrow(size.count));
    assert.equal(size.count, FetchSize.MAX_ROWS);
    const wide: TextRow = ['x'.repeat(FetchSize.BATCH_CHARS)];
    assert.equal(size.after([...narrow(999), wide]), 1, 'one row of a batch-worth of text: the next fetch is one row');
    // The wide row is forgotten by halves: the count recovers over a few fetches, not at once.
    assert.deepEqual([size.after(narrow(1)), size.after(narrow(2)), size.after(narrow(4))], [1, 2, 4]);
  });

  it('a batch of wide rows is encoded in slices of about SLICE_CHARS, a row alone when it is wider', () => {
    const row = (chars: number): TextRow => ['x'.repeat(chars)];
    assert.deepEqual([...textSlices([row(10), row(10)])].map((s) => s.length), [2], 'narrow rows: the batch itself');
    const half = Math.ceil(SLICE_CHARS / 2);
    assert.deepEqual([...textSlices([row(half), row(half), row(half), row(SLICE_CHARS * 3), row(1)])].map((s) => s.length), [2, 2, 1]);
  });

  it('sizes, counts and formats as the messages say them', () => {
    assert.deepEqual([sizeText(512), sizeText(2048), sizeText(3.25 * 2 ** 20)], ['512 B', '2.0 KB', '3.3 MB']);
    assert.deepEqual([rowsText(1), rowsText(12345)], ['1 row', '12,345 rows']);
    assert.deepEqual(['a.csv', 'a.JSONL', 'b.ndjson', 'c.json', 'd.txt', 'e'].map(formatForPath), ['csv', 'jsonl', 'jsonl', 'jsonl', 'csv', 'csv']);
  });
});

import { multiRowValues } from './multi-row-insert.js';

describe('multiRowValues', () => {
  it('numbers the parameters row after row', () => {
    expect(
      multiRowValues(2, [
        [1, 'a'],
        [2, 'b'],
      ]),
    ).toEqual({ sql: '($1, $2), ($3, $4)', values: [1, 'a', 2, 'b'] });
  });

  it("refuses more parameters than PostgreSQL's limit", () => {
    expect(() =>
      multiRowValues(
        13,
        Array.from({ length: 5100 }, () => new Array(13).fill(0)),
      ),
    ).toThrow(/65,535/);
  });
});

import { describe, expect, it } from 'vitest';
import { newsOf } from '../../src/client/features/filings/news.ts';

describe('news of the county review', () => {
  it('a filing first seen is recorded, not news', () => {
    expect(newsOf([{ id: 'a', status: 'approved' }], {})).toEqual({ news: [], unknown: ['a'] });
  });
  it('a status the county set since the doctor looked is news', () => {
    expect(newsOf([{ id: 'a', status: 'returned' }], { a: 'submitted' }).news).toEqual(['a']);
    expect(newsOf([{ id: 'a', status: 'paid' }], { a: 'approved' }).news).toEqual(['a']);
  });
  it("the doctor's own steps (queued, submitted) and an unchanged status are not", () => {
    expect(newsOf([{ id: 'a', status: 'submitted' }, { id: 'b', status: 'queued' }, { id: 'c', status: 'approved' }], { a: 'draft', b: 'draft', c: 'approved' }).news).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { Lookahead } from '../../../src/apply/lookahead.js';

/** Work that records when it starts and finishes on demand. */
function recorder() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const work = (item: string) => {
    started.push(item);
    return new Promise<string>((resolve) => finish.set(item, () => resolve(`done ${item}`)));
  };
  return { started, finish, work };
}

describe('Lookahead', () => {
  const items = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('works at most `ahead` items ahead and starts the next as each is taken', async () => {
    const r = recorder();
    const look = new Lookahead(items, r.work, 2);
    look.fill();
    expect(r.started).toEqual(['a', 'b']);
    const a = look.take('a');
    expect(r.started).toEqual(['a', 'b', 'c']);
    r.finish.get('a')!();
    expect(await a).toBe('done a');
    expect(look.pending).toBe(2);
  });

  it('never starts an item twice, and starts an item taken before it was reached', () => {
    const r = recorder();
    const look = new Lookahead(items, r.work, 1);
    look.fill();
    void look.take('d'); // skipped ahead: b and c are passed over; a still holds the one place
    expect(r.started).toEqual(['a', 'd']);
    look.discard('a');
    expect(r.started).toEqual(['a', 'd', 'e']);
    void look.take('e');
    expect(r.started).toEqual(['a', 'd', 'e', 'f']);
    void look.take('f');
    expect(r.started).toEqual(['a', 'd', 'e', 'f']);
  });

  it('drops results nobody will take, which frees room for the next', () => {
    const r = recorder();
    const look = new Lookahead(items, r.work, 2);
    look.fill();
    look.keepOnly(new Set(['b', 'c', 'd']));
    expect(r.started).toEqual(['a', 'b', 'c']);
    look.discard('b');
    expect(r.started).toEqual(['a', 'b', 'c', 'd']);
    expect(look.pending).toBe(2);
    // Items outside the wanted set are never started later either (they would hold places forever).
    void look.take('c');
    void look.take('d');
    expect(r.started).toEqual(['a', 'b', 'c', 'd']);
    expect(look.pending).toBe(0);
  });

  it('starts nothing new once stopped', () => {
    const r = recorder();
    const look = new Lookahead(items, r.work, 2);
    look.fill();
    look.stop();
    look.fill();
    expect(r.started).toEqual(['a', 'b']);
    expect(look.pending).toBe(0);
  });

  it('does not turn a dropped failure into an unhandled rejection', async () => {
    const look = new Lookahead(['x'], () => Promise.reject(new Error('boom')), 1);
    look.fill();
    look.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});

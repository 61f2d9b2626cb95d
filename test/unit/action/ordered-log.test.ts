/**
 * The action applies the declared targets at once (issue 16); OrderedLog keeps their log grouped per
 * target in the declared order: the first unfinished target prints live, the others are held and
 * printed as one block when every target before them has finished.
 */
import { describe, expect, it } from 'vitest';
import { OrderedLog, type LogEntry } from '../../../src/action/log.js';

const show = (e: LogEntry) => (e.kind === 'end' ? '</>' : e.kind === 'start' ? `<${e.text}>` : e.text);

describe('OrderedLog', () => {
  it('prints the first channel live and holds the others until their turn, whatever order they finish in', () => {
    const printed: string[] = [];
    const log = new OrderedLog(3, (e) => printed.push(show(e)));
    const [a, b, c] = [log.channel(0), log.channel(1), log.channel(2)];
    a.info('a1');
    b.info('b1');
    c.group.start('Uploading');
    c.info('c1');
    c.group.end();
    expect(printed).toEqual(['a1']);
    c.close(); // the last finishes first: still held behind b
    expect(printed).toEqual(['a1']);
    a.info('a2');
    a.close();
    // b's held lines come out, and b now prints live
    expect(printed).toEqual(['a1', 'a2', 'b1']);
    b.info('b2');
    expect(printed).toEqual(['a1', 'a2', 'b1', 'b2']);
    b.close();
    expect(printed).toEqual(['a1', 'a2', 'b1', 'b2', '<Uploading>', 'c1', '</>']);
    // A closed channel prints nothing more; closing twice changes nothing.
    b.info('late');
    b.close();
    expect(printed).toHaveLength(7);
  });

  it('a single channel prints straight through', () => {
    const printed: string[] = [];
    const log = new OrderedLog(1, (e) => printed.push(show(e)));
    const only = log.channel(0);
    only.info('x');
    only.close();
    expect(printed).toEqual(['x']);
  });
});

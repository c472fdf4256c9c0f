import { describe, expect, it } from 'vitest';
import { StatementCounts, statementKind } from './statements.js';

describe('statement counts', () => {
  it('classifies statements by their first keyword, CTEs by what they end in', () => {
    expect(statementKind('select * from tasks')).toBe('select');
    expect(statementKind('  INSERT INTO tasks values (1)')).toBe('insert');
    expect(statementKind('with x as (select 1) update tasks set a = 1 where id in (select * from x)')).toBe('update');
    expect(statementKind('with x as (select 1) select * from x')).toBe('select');
    expect(statementKind('begin')).toBe('begin');
    expect(statementKind('start transaction')).toBe('begin');
    expect(statementKind('commit')).toBe('commit');
    expect(statementKind('pragma optimize')).toBe('other');
    expect(statementKind('')).toBe('other');
  });

  it('counts by kind and keeps texts only while tracing', () => {
    const c = new StatementCounts();
    c.add('select 1');
    c.traceTexts();
    c.add('select 1');
    c.add('insert into t values (1)');
    expect(c.snapshot()).toEqual({ select: 2, insert: 1 });
    expect([...c.takeTexts()]).toEqual([
      ['select 1', 1],
      ['insert into t values (1)', 1],
    ]);
    c.add('select 1');
    expect(c.takeTexts().size).toBe(0);
  });
});

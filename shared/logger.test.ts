import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger } from './logger.js';

describe('logger', () => {
  it('writes JSON lines bound to component and node', () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
    const log = componentLogger(createLogger({ format: 'json', destination: stream }), 'dispatcher', 'node-1');
    log.info({ sessions: 3 }, 'heartbeat sweep');
    log.debug('not at info level');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, component: 'dispatcher', node: 'node-1', sessions: 3, msg: 'heartbeat sweep' });
  });

  it('writes readable lines in pretty mode', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (b: Buffer) => (text += b.toString()));
    createLogger({ format: 'pretty', destination: stream }).child({ component: 'lab' }).warn('underlay is slow');
    expect(text).toMatch(/WARN.*underlay is slow/);
    expect(text).not.toMatch(/^\{/);
  });
});

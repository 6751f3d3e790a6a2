import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './net.js';

describe('isLoopbackHost', () => {
  it('takes localhost, 127.0.0.0/8 and ::1 in any spelling', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
  });

  it('refuses every other address, and names it cannot resolve', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'example.org', 'localhost.example.org', '']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

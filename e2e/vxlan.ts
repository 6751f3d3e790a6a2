// Hand-made VXLAN for e2e tests: the bytes of one VXLAN datagram carrying an Ethernet frame with
// an IPv4 UDP datagram inside (what a host's VTEP decapsulates and bridges onto an overlay), a
// sender that puts it on the wire from any network namespace and source address, a listener
// that reports what reaches a port, and the packet counter of an iptables rule.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ipv4ToInt } from '../shared/config.js';
import { runUnchecked } from '../shared/exec.js';
import { waitForLine } from './helpers.js';

export interface InnerDatagram {
  readonly vni: number;
  readonly srcMac: string;
  readonly dstMac: string;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly dstPort: number;
  readonly payload: string;
}

function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The UDP payload of a VXLAN datagram (RFC 7348): VXLAN header, then the inner Ethernet frame. */
export function vxlanDatagram(d: InnerDatagram): Buffer {
  const payload = Buffer.from(d.payload);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40_000, 0);
  udp.writeUInt16BE(d.dstPort, 2);
  udp.writeUInt16BE(8 + payload.length, 4); // checksum 0: none, as IPv4 allows
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + udp.length + payload.length, 2);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip.writeUInt8(64, 8);
  ip.writeUInt8(17, 9);
  ip.writeUInt32BE(ipv4ToInt(d.srcIp), 12);
  ip.writeUInt32BE(ipv4ToInt(d.dstIp), 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  const mac = (m: string): Buffer => Buffer.from(m.replaceAll(':', ''), 'hex');
  const ethernet = Buffer.concat([mac(d.dstMac), mac(d.srcMac), Buffer.from([0x08, 0x00])]);
  const vxlan = Buffer.alloc(8);
  vxlan.writeUInt8(0x08, 0); // I flag: the VNI is valid
  vxlan.writeUInt32BE(d.vni << 8, 4);
  return Buffer.concat([vxlan, ethernet, ip, udp, payload]);
}

/** Sends `bytes` as one UDP datagram to `to`:`port` from the network namespace `netns`, from `from` when given. */
export async function sendUdpFrom(netns: string, bytes: Buffer, to: string, port: number, from?: string): Promise<void> {
  const js = `const s=require('dgram').createSocket('udp4');s.bind({port:0${from === undefined ? '' : `,address:'${from}'`}},()=>s.send(Buffer.from('${bytes.toString('hex')}','hex'),${port},'${to}',(e)=>{if(e){console.error(e.message);process.exit(1)}s.close()}))`;
  const r = await runUnchecked('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', js], { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`send from ${netns}${from === undefined ? '' : ` (${from})`} to ${to}:${port}: ${r.stderr.trim()}`);
}

/** A UDP listener inside `netns`: every datagram's text, as it arrives. */
export interface UdpListener {
  readonly received: string[];
  /** Resolves when a datagram with this text has arrived (at once if it has), rejects after `timeoutMs`. */
  arrival(text: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

export async function listenUdp(netns: string, port: number): Promise<UdpListener> {
  const child: ChildProcess = spawn(
    'nsenter',
    [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', `const s=require('dgram').createSocket('udp4');s.on('message',m=>console.log('got '+m.toString()));s.bind(${port},()=>console.log('listening'))`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const stdout = child.stdout as Readable;
  const received: string[] = [];
  stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.startsWith('got ')) received.push(line.slice(4));
  });
  try {
    await waitForLine(stdout, /^listening$/);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    received,
    arrival: (text, timeoutMs = 5_000) =>
      new Promise<void>((resolve, reject) => {
        if (received.includes(text)) return resolve();
        const timer = setTimeout(() => {
          stdout.off('data', check);
          reject(new Error(`no datagram ${JSON.stringify(text)} within ${timeoutMs} ms in ${netns} (got: ${received.join(', ') || 'nothing'})`));
        }, timeoutMs);
        // After the collector above has recorded the chunk: listeners run in the order they were added.
        const check = (): void => {
          if (!received.includes(text)) return;
          clearTimeout(timer);
          stdout.off('data', check);
          resolve();
        };
        stdout.on('data', check);
      }),
    stop: () => child.kill('SIGKILL'),
  };
}

/** The packet count of the filter-table rule `rule` (as `iptables -S` prints it) inside `netns`. */
export async function rulePackets(netns: string, rule: string): Promise<number> {
  const chain = rule.split(' ')[1] as string;
  const r = await runUnchecked('nsenter', [`--net=/run/netns/${netns}`, '--', 'iptables', '-w', '-v', '-S', chain], { timeoutMs: 20_000 });
  for (const line of r.stdout.split('\n')) {
    const m = / -c (\d+) \d+/.exec(line);
    if (m !== null && line.replace(m[0], '') === rule) return Number(m[1]);
  }
  throw new Error(`no rule ${JSON.stringify(rule)} in ${netns}: ${r.stdout}${r.stderr}`);
}

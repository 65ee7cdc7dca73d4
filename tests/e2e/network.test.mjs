// The app opens no network socket. Reads the strace log that `make e2e` recorded while the
// end-to-end suite drove the real window (strace -f -v -e trace=network,process), finds the
// app's process tree (the app binary, its threads and children: WebKit's web and network
// processes, dbus-launch), and fails on any AF_INET/AF_INET6 bind, connect or send in that
// tree — with one exception, which exists only under test: WebKitWebDriver starts the app
// with WEBKIT_INSPECTOR_SERVER=127.0.0.1:PORT, so WebKit's remote-automation server listens
// on that loopback port inside the app and the app's own processes connect to it. Traffic to
// exactly that address is WebDriver's channel; anything else fails the test. (node,
// tauri-driver and WebKitWebDriver make their own loopback traffic outside the tree.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { ROOT } from './harness.mjs';

const TRACE = process.env.BAOMI_E2E_TRACE ?? join(ROOT, 'target/e2e-trace/trace');
const APP = basename(process.env.BAOMI_E2E_APP ?? 'baomi-desktop');

export function analyse(text, appName) {
  const children = new Map(); // parent pid -> [child pid]
  const exec = new Map(); // pid -> last program executed
  const lines = text.split('\n');
  const pending = new Map(); // pid -> syscall name of an <unfinished ...> clone/fork
  const sockets = [];
  const addresses = []; // {pid, call, addr}
  const inspectorOf = new Map(); // app pid -> its WEBKIT_INSPECTOR_SERVER
  for (const line of lines) {
    const m = line.match(/^(\d+)\s+(.*)$/);
    if (!m) continue;
    const pid = Number(m[1]);
    const rest = m[2];
    let call = rest.match(/^(clone3?|fork|vfork)\(/)?.[1];
    if (call && rest.includes('<unfinished ...>')) {
      pending.set(pid, call);
      continue;
    }
    const resumed = rest.match(/^<\.\.\. (clone3?|fork|vfork) resumed>.*= (\d+)/);
    if (resumed) {
      (children.get(pid) ?? children.set(pid, []).get(pid)).push(Number(resumed[2]));
      continue;
    }
    if (call) {
      const ret = rest.match(/= (\d+)\s*$/);
      if (ret) (children.get(pid) ?? children.set(pid, []).get(pid)).push(Number(ret[1]));
      continue;
    }
    const ex = rest.match(/^execve\("([^"]+)"/);
    if (ex && !/= -1 /.test(rest)) {
      exec.set(pid, ex[1]);
      if (basename(ex[1]) === appName) {
        inspectorOf.set(pid, rest.match(/"WEBKIT_INSPECTOR_SERVER=([^"]+)"/)?.[1] ?? null);
      }
    }
    const so = rest.match(/^socket\((AF_\w+),/);
    if (so) sockets.push({ pid, family: so[1], line: rest });
    const ad = rest.match(/^(bind|connect|sendto|sendmsg)\(.*sa_family=AF_INET6?, sin6?_port=htons\((\d+)\),.*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/);
    if (ad) addresses.push({ pid, call: ad[1], addr: `${ad[3] ?? ad[4]}:${ad[2]}`, line: rest });
  }
  // Each launch of the app is a root; every pid of its tree maps to that root's channel.
  const roots = [...inspectorOf.keys()];
  const tree = new Set();
  const channel = new Map(); // pid -> allowed automation endpoint (or null)
  for (const root of roots) {
    const stack = [root];
    while (stack.length) {
      const p = stack.pop();
      if (tree.has(p)) continue;
      tree.add(p);
      channel.set(p, inspectorOf.get(root));
      stack.push(...(children.get(p) ?? []));
    }
  }
  const inspector = [...new Set(inspectorOf.values())].join(', ') || null;
  const inet = sockets.filter((s) => tree.has(s.pid) && /^AF_INET6?$/.test(s.family));
  const families = [...new Set(sockets.filter((s) => tree.has(s.pid)).map((s) => s.family))];
  const programs = [...new Set([...tree].map((p) => exec.get(p)).filter(Boolean).map((p) => basename(p)))];
  const traffic = addresses.filter((a) => tree.has(a.pid));
  const allowed = (pid, addr) => {
    const c = channel.get(pid);
    return c !== null && c !== undefined && c.startsWith('127.0.0.1:') && addr === c;
  };
  const forbidden = traffic.filter((a) => !allowed(a.pid, a.addr));
  // Without the automation server, any inet socket at all is forbidden.
  const unexplained = inet.filter((s) => !channel.get(s.pid));
  return { roots, tree, inet, families, programs, total: sockets.length, inspector, traffic, forbidden, unexplained };
}

test('the desktop app opened no network connection during the end-to-end suite', () => {
  assert.ok(existsSync(TRACE), `no trace at ${TRACE}: run the suite through 'make e2e'`);
  const r = analyse(readFileSync(TRACE, 'utf8'), APP);
  console.log(
    `app process tree: ${r.tree.size} processes/threads (${r.programs.join(', ')}); socket families: ${r.families.join(', ') || 'none'}; ` +
      `inet sockets: ${r.inet.length}, all on WebDriver's automation channel ${r.inspector}; sockets traced in all: ${r.total}`,
  );
  assert.ok(r.roots.length > 0, `the trace never started ${APP}`);
  assert.ok(r.programs.some((p) => p.startsWith('WebKit')), 'the trace did not follow the app into its WebKit processes');
  assert.ok(r.total > 0, 'no socket at all was traced: the trace cannot be trusted (WebDriver itself uses TCP)');
  assert.deepEqual(r.forbidden.map((a) => `${a.pid} ${a.line}`), []);
  assert.deepEqual(r.unexplained.map((s) => `${s.pid} ${s.line}`), []);
});

const FAKE = [
  '100 execve("/x/baomi-desktop", ["baomi-desktop"], ["HOME=/root", "WEBKIT_INSPECTOR_SERVER=127.0.0.1:4567"]) = 0',
  '100 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 7',
  '100 bind(7, {sa_family=AF_INET, sin_port=htons(4567), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
  '100 clone3({flags=CLONE_VM, exit_signal=SIGCHLD} <unfinished ...>',
  '100 <... clone3 resumed>)             = 101',
  '101 execve("/usr/lib/WebKitNetworkProcess", ["x"], ["HOME=/root"] <unfinished ...>',
  '101 socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 9',
  '200 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3',
  '200 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("1.2.3.4")}, 16) = 0',
];

test('the analysis allows exactly the automation channel and catches anything else', () => {
  const ok = analyse(FAKE.join('\n'), 'baomi-desktop');
  assert.deepEqual(ok.programs.sort(), ['WebKitNetworkProcess', 'baomi-desktop']);
  assert.equal(ok.inspector, '127.0.0.1:4567');
  assert.equal(ok.inet.length, 2);
  assert.deepEqual(ok.forbidden, [], 'the other pid (200) is not the app');
  const leak = [...FAKE, '101 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 0'];
  const bad = analyse(leak.join('\n'), 'baomi-desktop');
  assert.equal(bad.forbidden.length, 1);
  assert.equal(bad.forbidden[0].addr, '2001:db8::1:443');
  const noDriver = analyse(FAKE.map((l) => l.replace(', "WEBKIT_INSPECTOR_SERVER=127.0.0.1:4567"', '')).join('\n'), 'baomi-desktop');
  assert.equal(noDriver.unexplained.length, 2, 'without WebDriver any inet socket is a failure');
});

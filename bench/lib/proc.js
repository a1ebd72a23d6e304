'use strict';
// Child processes of a bench run: spawn with an explicit environment, keep a tail of their output, wait for
// readiness, stop them, and read their resident memory and CPU time from /proc.
const { spawn, execFileSync } = require('node:child_process');
const { readFileSync, readdirSync } = require('node:fs');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Proc {
  constructor(name, cmd, args, { env, cwd, tailLines = 60 } = {}) {
    this.name = name;
    this.tail = [];
    this.child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    const keep = (d) => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        this.tail.push(line);
        if (this.tail.length > tailLines) this.tail.shift();
      }
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exitCode = undefined;
    this.exited = new Promise((res) =>
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? `signal ${signal}` : null);
        res(this.exitCode);
      }),
    );
  }

  get running() {
    return this.exitCode === undefined;
  }

  /** polls `url` until it answers 200; rejects if the process exits first or the time runs out */
  async waitHttp(url, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited (${this.exitCode}) before it was ready:\n${this.tail.slice(-15).join('\n')}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name} not ready at ${url} within ${timeoutMs} ms:\n${this.tail.slice(-15).join('\n')}`);
      await sleep(100);
    }
  }

  async stop(timeoutMs = 15_000) {
    if (!this.running) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** runs a command to completion; resolves {code, output} */
function runToEnd(cmd, args, { env, cwd } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
    child.on('error', (e) => resolve({ code: 1, output: `${output}${e.message}` }));
  });
}

let clkTck;
function ticksPerSecond() {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** resident memory in MiB (VmRSS), or null when the process is gone */
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** user+system CPU time in ms, or null */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is state (field 3); utime and stime are fields 14 and 15
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** pids of the processes whose command name (/proc/<pid>/comm) matches `re` (e.g. every Postgres backend) */
function pidsByComm(re) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (re.test(readFileSync(`/proc/${e}/comm`, 'utf8').trim())) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** CPU ms of every process of a group, by pid */
function groupCpu(re) {
  const m = new Map();
  for (const pid of pidsByComm(re)) {
    const c = cpuMs(pid);
    if (c !== null) m.set(pid, c);
  }
  return m;
}

/** [busy, total] jiffies of the whole machine since boot (/proc/stat) */
function machineJiffies() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return [total - f[3] - (f[4] || 0), total];
  } catch {
    return null;
  }
}

/**
 * Samples memory of a set of processes while a flow runs: call start(), then stop() -> per name
 * {rssPeakMiB, rssMeanMiB, cpuMs}.
 */
class Sampler {
  /**
   * `groups`: [{name, comm: RegExp}] — processes counted together by command name (Postgres: the sum over
   * its backends and helpers; Redis: redis-server), CPU only. A process that started during the phase counts
   * with all its CPU time; one that ended during it is missed (its time cannot be read any more).
   */
  constructor(procs, intervalMs = 200, groups = []) {
    this.procs = procs; // [{name, pid}]
    this.intervalMs = intervalMs;
    this.groups = groups;
  }
  start() {
    this.group0 = new Map(this.groups.map((g) => [g.name, groupCpu(g.comm)]));
    this.samples = new Map(this.procs.map((p) => [p.name, []]));
    this.cpu0 = new Map(this.procs.map((p) => [p.name, cpuMs(p.pid)]));
    this.machine0 = machineJiffies();
    this.t0 = Date.now();
    const tick = () => {
      for (const p of this.procs) {
        const r = rssMiB(p.pid);
        if (r !== null) this.samples.get(p.name).push(r);
      }
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
  }
  stop() {
    clearInterval(this.timer);
    const out = {};
    for (const p of this.procs) {
      const s = this.samples.get(p.name);
      const c1 = cpuMs(p.pid);
      const c0 = this.cpu0.get(p.name);
      out[p.name] = {
        rssPeakMiB: s.length ? Math.max(...s) : null,
        rssMeanMiB: s.length ? Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10 : null,
        cpuMs: c1 !== null && c0 !== null ? Math.round(c1 - c0) : null,
      };
    }
    for (const g of this.groups) {
      const before = this.group0.get(g.name);
      let total = 0;
      for (const [pid, c] of groupCpu(g.comm)) total += c - (before.get(pid) ?? 0);
      out[g.name] = { cpuMs: Math.round(total), processes: before.size };
    }
    const m1 = machineJiffies();
    if (m1 && this.machine0 && m1[1] > this.machine0[1]) {
      // how busy the whole machine was (all cores), to tell a quiet run from one that shared the CPU
      out.machine = {
        busyPct: Math.round(((m1[0] - this.machine0[0]) / (m1[1] - this.machine0[1])) * 1000) / 10,
        wallMs: Date.now() - this.t0,
      };
    }
    return out;
  }
}

module.exports = { Proc, runToEnd, freePort, sleep, rssMiB, cpuMs, Sampler, pidsByComm };

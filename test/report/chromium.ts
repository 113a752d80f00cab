/**
 * A minimal headless-Chromium driver for the report's browser test: the DevTools protocol over
 * `--remote-debugging-pipe` (fd 3 in, fd 4 out, messages ended by NUL), no npm package. It opens
 * one page, records console errors, exceptions, log errors and every request URL, and answers
 * `evaluate` and `screenshot`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { foreignChildEnv } from '../helpers.js';

/** Where Debian's package puts the browser; CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  method: string;
}

export class Browser {
  readonly errors: string[] = [];
  readonly requests: string[] = [];
  private proc: ChildProcess;
  private out: Writable;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  private sessionId = '';
  private buffer = '';
  private profile: string;
  private stderr = '';

  private constructor() {
    this.profile = mkdtempSync(join(tmpdir(), 'ek-chromium-'));
    // As root there is no sandbox; the background-networking flags keep Chromium from calling home
    // (on a closed network it otherwise retries forever and floods the log).
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      '--mute-audio',
      `--user-data-dir=${this.profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ];
    this.proc = spawn(chromiumPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], env: foreignChildEnv() });
    this.out = this.proc.stdio[3] as Writable;
    const input = this.proc.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.onData(chunk));
    (this.proc.stderr as Readable).on('data', (d: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += d.toString();
    });
    this.proc.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code ?? signal}) during ${p.method}\n${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  /** Starts Chromium and attaches to a fresh page that reports console, log and network events. */
  static async launch(): Promise<Browser> {
    const b = new Browser();
    const { targetId } = (await b.send('Target.createTarget', { url: 'about:blank' }, false)) as { targetId: string };
    const { sessionId } = (await b.send('Target.attachToTarget', { targetId, flatten: true }, false)) as { sessionId: string };
    b.sessionId = sessionId;
    b.listeners.push((method, params) => {
      if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
        b.errors.push(`console.${String(params.type)}: ${JSON.stringify(params.args)}`);
      } else if (method === 'Runtime.exceptionThrown') {
        b.errors.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
      } else if (method === 'Log.entryAdded') {
        const e = params.entry as { level: string; text: string; url?: string };
        if (e.level === 'error') b.errors.push(`log: ${e.text} ${e.url ?? ''}`);
      } else if (method === 'Network.requestWillBeSent') {
        b.requests.push((params.request as { url: string }).url);
      }
    });
    await Promise.all([b.send('Page.enable'), b.send('Runtime.enable'), b.send('Log.enable'), b.send('Network.enable')]);
    await b.send('Emulation.setDeviceMetricsOverride', { width: 1320, height: 1000, deviceScaleFactor: 1, mobile: false });
    return b;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(this.buffer.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      this.buffer = this.buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result ?? {});
      } else if (msg.method) {
        for (const l of this.listeners) l(msg.method, msg.params ?? {});
      }
    }
  }

  /** One protocol command, on the page's session unless `onPage` is false (browser-level commands). */
  send(method: string, params: Record<string, unknown> = {}, onPage = true): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const msg: Record<string, unknown> = { id, method, params };
    if (onPage) msg.sessionId = this.sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(JSON.stringify(msg) + '\0');
    });
  }

  private waitFor(method: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
      const l = (m: string, params: Record<string, unknown>) => {
        if (m !== method) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(l), 1);
        resolve(params);
      };
      this.listeners.push(l);
    });
  }

  /** Navigates and waits for the load event. */
  async open(url: string): Promise<void> {
    const loaded = this.waitFor('Page.loadEventFired', 30_000);
    const r = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (r.errorText) throw new Error(`navigation to ${url} failed: ${r.errorText}`);
    await loaded;
  }

  /** Evaluates an expression in the page and returns its value (JSON-serialisable results only). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: T }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const r = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    try {
      await Promise.race([this.send('Browser.close', {}, false), new Promise((r) => setTimeout(r, 5000))]);
    } catch {
      // Chromium may exit before it answers.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

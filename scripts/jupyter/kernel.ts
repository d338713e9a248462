/**
 * A Jupyter kernel client in Node: starts the kit's tslab kernel as Jupyter would (a connection
 * file, five TCP ports on 127.0.0.1, HMAC-signed messages) and speaks the messaging protocol to
 * it over ZeroMQ, with the zeromq package that tslab itself loads. So executing a notebook needs
 * no Python, and what comes back is exactly what a Jupyter front end receives from the kernel.
 *
 * The kernel runs in its own process group; shutdown() asks it to stop, then ends the group
 * (a static-image browser started by a cell goes with it).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { decodeMessage, encodeMessage, JupyterMessage, newMessage } from './wire';

/** The part of zeromq's API this client uses (the package ships its own types under tslab). */
interface ZmqSocket {
  linger: number;
  connect(address: string): void;
  send(frames: (string | Buffer)[]): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): void;
}
interface ZmqModule {
  Dealer: new () => ZmqSocket;
  Subscriber: new () => ZmqSocket & { subscribe(...prefixes: string[]): void };
}

/** Returns zeromq as tslab resolves it (the same native addon the kernel loads). */
export function loadZeromq(): ZmqModule {
  const tslabRequire = createRequire(require.resolve('tslab/package.json'));
  return tslabRequire('zeromq') as ZmqModule;
}

/** Returns the path of this clone's tslab command (a Node script). */
export function tslabBin(): string {
  return join(dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
}

/** Thrown when the kernel exits, does not start, or a request outlives its timeout. */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelError';
  }
}

/** Options of KernelClient.start. */
export interface KernelStartOptions {
  /** The kernel's working directory (tslab compiles cells relative to it). */
  cwd: string;
  /** The kernel's environment. */
  env: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the kernel to answer; default 120 000. */
  startupTimeoutMs?: number;
}

/** The execute_reply content. */
export interface ExecuteReply {
  status: 'ok' | 'error' | 'abort';
  execution_count?: number | null;
  [key: string]: unknown;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KernelError(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** A running tslab kernel and the sockets that talk to it. */
export class KernelClient {
  /** The kernel_info_reply content (language_info for the notebook's metadata). */
  kernelInfo: Record<string, unknown> = {};
  private readonly session = randomBytes(16).toString('hex');
  private readonly replies = new Map<string, (m: JupyterMessage) => void>();
  private readonly iopubHandlers = new Map<string, (m: JupyterMessage) => void>();
  private output = '';
  private exited: string | undefined;
  private readonly exitWaiters: (() => void)[] = [];
  private readonly killOnExit = () => this.killGroup('SIGKILL');

  private constructor(
    private readonly child: ChildProcess,
    private readonly key: string,
    private readonly shell: ZmqSocket,
    private readonly control: ZmqSocket,
    private readonly iopub: ZmqSocket,
    private readonly connectionDir: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      this.exited = signal ? `signal ${signal}` : `exit code ${code}`;
      for (const w of this.exitWaiters.splice(0)) w();
    });
    process.on('exit', this.killOnExit);
    void this.pump(shell, (m) => this.replies.get(String(m.parent_header.msg_id))?.(m));
    void this.pump(control, (m) => this.replies.get(String(m.parent_header.msg_id))?.(m));
    void this.pump(iopub, (m) => this.iopubHandlers.get(String(m.parent_header.msg_id))?.(m));
  }

  /** Starts a tslab kernel in `options.cwd` and returns its client once the kernel answers on shell and iopub. */
  static async start(options: KernelStartOptions): Promise<KernelClient> {
    const zmq = loadZeromq();
    const [shellPort, iopubPort, stdinPort, controlPort, hbPort] = await freePorts(5);
    const key = randomBytes(32).toString('hex');
    const connectionDir = mkdtempSync(join(tmpdir(), 'mmckd-kernel-'));
    const connectionFile = join(connectionDir, 'kernel.json');
    const connection = {
      shell_port: shellPort, iopub_port: iopubPort, stdin_port: stdinPort, control_port: controlPort, hb_port: hbPort,
      ip: '127.0.0.1', key, transport: 'tcp', signature_scheme: 'hmac-sha256', kernel_name: 'tslab',
    };
    writeFileSync(connectionFile, JSON.stringify(connection), { mode: 0o600 });
    const child = spawn(process.execPath, [tslabBin(), 'kernel', '--config-path', connectionFile], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const socket = (s: ZmqSocket, port: number) => {
      s.linger = 0;
      s.connect(`tcp://127.0.0.1:${port}`);
      return s;
    };
    const iopub = new zmq.Subscriber();
    iopub.subscribe();
    const client = new KernelClient(
      child, key, socket(new zmq.Dealer(), shellPort), socket(new zmq.Dealer(), controlPort), socket(iopub, iopubPort), connectionDir,
    );
    try {
      await client.waitUntilReady(options.startupTimeoutMs ?? 120_000);
    } catch (err) {
      await client.shutdown();
      throw err;
    }
    return client;
  }

  /** The last 8000 characters the kernel process wrote outside of cells (start-up errors, crashes). */
  get processOutput(): string {
    return this.output;
  }

  private async pump(socket: ZmqSocket, deliver: (m: JupyterMessage) => void): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch {
        return; // socket closed
      }
      try {
        deliver(decodeMessage(frames, this.key));
      } catch (err) {
        this.output += `\n[kernel client] ignored a message: ${(err as Error).message}`;
      }
    }
  }

  private died(): Promise<never> {
    return new Promise<never>((_, reject) => {
      const fail = () => reject(new KernelError(`the kernel exited (${this.exited}); its output:\n${this.output.trim() || '(none)'}`));
      if (this.exited) fail();
      else this.exitWaiters.push(fail);
    });
  }

  /** Sends a request on shell or control; resolves with the reply. */
  private request(socket: ZmqSocket, msgType: string, content: Record<string, unknown>): { msgId: string; reply: Promise<JupyterMessage> } {
    const msg = newMessage(msgType, content, this.session);
    const reply = new Promise<JupyterMessage>((resolve) => this.replies.set(msg.header.msg_id, resolve));
    void socket.send(encodeMessage(msg, this.key));
    return { msgId: msg.header.msg_id, reply: reply.finally(() => this.replies.delete(msg.header.msg_id)) };
  }

  /** Resolves when iopub carries the `idle` status of request `msgId`. */
  private idleOf(msgId: string, onMessage?: (m: JupyterMessage) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      this.iopubHandlers.set(msgId, (m) => {
        onMessage?.(m);
        if (m.header.msg_type === 'status' && (m.content as { execution_state?: string }).execution_state === 'idle') resolve();
      });
    });
  }

  private async waitUntilReady(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    // iopub is a PUB/SUB pair: messages published before the subscription is in place are lost,
    // so ask for kernel_info until its idle status arrives on iopub as well (as nbclient does).
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new KernelError(`the tslab kernel did not answer within ${Math.round(ms / 1000)} s; its output:\n${this.output.trim() || '(none)'}`);
      const { msgId, reply } = this.request(this.shell, 'kernel_info_request', {});
      const idle = this.idleOf(msgId);
      try {
        const r = await Promise.race([timeout(reply, left, 'kernel_info_request'), this.died()]);
        this.kernelInfo = r.content;
        await Promise.race([timeout(idle, Math.min(1000, left), 'iopub'), this.died()]);
        return;
      } catch (err) {
        if (this.exited || Date.now() >= deadline) throw err instanceof KernelError ? err : new KernelError(String(err));
      } finally {
        this.iopubHandlers.delete(msgId);
      }
    }
  }

  /**
   * Executes `code`; calls `onIopub` with every iopub message of this request (outputs, status),
   * also with those that arrive later, as a front end routes late output to its cell. Resolves with the execute_reply
   * content once the kernel is idle again; rejects with KernelError on kernel death or when the cell
   * sends nothing (no output, no display update, no reply) for `silenceMs`: a long cell that keeps
   * reporting progress (a grid on a slow machine) runs as long as it needs, a hung one is stopped.
   */
  async execute(code: string, onIopub: (m: JupyterMessage) => void, silenceMs: number): Promise<ExecuteReply> {
    let rearm = () => {};
    const { msgId, reply } = this.request(this.shell, 'execute_request', {
      code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true,
    });
    const idle = this.idleOf(msgId, (m) => {
      rearm();
      onIopub(m);
    });
    const done = Promise.all([reply, idle]).then(([r]) => r.content as ExecuteReply);
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      rearm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => reject(new KernelError(`the cell: no output and no answer for ${Math.round(silenceMs / 1000)} s`)), silenceMs);
      };
      rearm();
    });
    try {
      return await Promise.race([done, silent, this.died()]);
    } catch (err) {
      throw err instanceof KernelError ? err : new KernelError(String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is gone
    }
  }

  /** Asks the kernel to shut down, ends its process group, closes the sockets; resolves when done. */
  async shutdown(): Promise<void> {
    const exited = new Promise<void>((resolve) => (this.exited ? resolve() : this.exitWaiters.push(resolve)));
    if (!this.exited) {
      void this.request(this.control, 'shutdown_request', { restart: false });
      const graceful = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (!graceful) {
        this.killGroup('SIGTERM');
        const ended = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
        if (!ended) this.killGroup('SIGKILL');
      }
    }
    this.killGroup('SIGKILL'); // what the kernel started and left behind
    process.off('exit', this.killOnExit);
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }
}

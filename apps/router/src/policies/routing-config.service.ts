import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { JsonLogger } from '@iir/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { parseRoutingConfig, RoutingPolicies } from './routing-config';

export interface RoutingConfigSettings {
  /** The routing file; relative paths are from the working directory. */
  path: string;
  /** Safety-net check for changes fs.watch misses (network file systems, some editors). */
  pollMs: number;
}
export const ROUTING_CONFIG_SETTINGS = Symbol('ROUTING_CONFIG_SETTINGS');

/**
 * The routing policies from `routing.yaml`: read at start (a broken file stops start-up, naming the
 * field), then re-read when the file changes (fs.watch on its folder, so editors that replace the
 * file are seen too, plus a periodic check) and on SIGHUP. A broken file on reload keeps the previous
 * policies and logs why. No file at all means no policies: every model is routed directly.
 */
@Injectable()
export class RoutingConfigService implements OnModuleInit, OnApplicationShutdown {
  private current = RoutingPolicies.empty();
  private readonly path: string;
  private lastText: string | undefined;
  private loadedAt: Date | undefined;
  private lastError: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly onHangup = (): void => this.reload('SIGHUP');

  constructor(
    @Inject(ROUTING_CONFIG_SETTINGS) private readonly settings: RoutingConfigSettings,
    private readonly logger: JsonLogger,
  ) {
    this.path = resolve(settings.path);
  }

  get policies(): RoutingPolicies {
    return this.current;
  }

  get status(): { path: string; loadedAt: string | null; error: string | null } {
    return { path: this.path, loadedAt: this.loadedAt?.toISOString() ?? null, error: this.lastError ?? null };
  }

  onModuleInit(): void {
    const text = this.read();
    if (text !== undefined) this.apply(text); // throws: a broken file at start-up is a configuration error
    else this.logger.write('info', 'no routing file; every model is routed directly', { path: this.path });
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file && file.toString() !== basename(this.path)) return;
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.reload('change'), 50);
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // The folder may not exist; the periodic check still picks the file up when it appears.
    }
    this.timer = setInterval(() => this.reload('poll'), this.settings.pollMs);
    this.timer.unref();
    process.on('SIGHUP', this.onHangup);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onHangup);
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }

  /** Re-reads the file; unchanged text is a no-op unless forced (SIGHUP). */
  reload(trigger: 'change' | 'poll' | 'SIGHUP'): void {
    let text: string | undefined;
    try {
      // Inside the try: an unreadable file (EACCES, EISDIR…) on a timer must not kill the router.
      text = this.read();
      if (text === undefined || (text === this.lastText && trigger !== 'SIGHUP')) return;
      this.apply(text);
    } catch (error) {
      if (text !== undefined) this.lastText = text;
      this.lastError = (error as Error).message;
      this.logger.write('error', 'routing file rejected; keeping the previous policies', { path: this.path, err: this.lastError, trigger });
    }
  }

  private apply(text: string): void {
    const policies = parseRoutingConfig(text, this.path);
    this.current = policies;
    this.lastText = text;
    this.lastError = undefined;
    this.loadedAt = new Date();
    this.logger.write('info', 'routing policies loaded', { path: this.path, policies: policies.list.length });
  }

  private read(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

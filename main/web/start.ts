/**
 * `node dist/web.mjs`: Podpath in a browser, for machines without the Electron runtime. Opens the
 * same lab database the desktop app would use without Electron (or PODPATH_DB), serves the built
 * renderer and the API on 127.0.0.1 (a free port, or PODPATH_PORT) and prints the address. The
 * per-start token is not printed: the host puts it into the page it serves.
 * main/start.mjs (`npm start`) runs this when it cannot start Electron.
 */
import path from 'node:path';
import { openAppServices, type AppServices } from '../app/services';
import { startWebHost, type WebHost } from './server';

export interface WebAppOptions {
  /** The built renderer; default `dist/renderer` next to this bundle, or PODPATH_RENDERER_DIR. */
  readonly rendererRoot: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly log?: (line: string) => void;
}

export interface WebApp {
  readonly host: WebHost;
  readonly app: AppServices;
  close(): Promise<void>;
}

export async function startWebApp(options: WebAppOptions): Promise<WebApp> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const portText = env['PODPATH_PORT'];
  const port = portText !== undefined && portText !== '' ? Number(portText) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PODPATH_PORT ${portText ?? ''} is not a port number (0-65535)`);
  const opened = openAppServices({ env });
  if (!opened.ok) throw new Error(opened.error);
  const app = opened.value;
  let host: WebHost;
  try {
    host = await startWebHost({
      root: options.rendererRoot,
      services: app.services,
      port,
      onInternalError: (channel, error) =>
        console.error(
          `podpath web host: ${channel}: ${error instanceof Error ? error.message : String(error)}`,
        ),
    });
  } catch (error) {
    app.close();
    throw error;
  }
  log(`podpath: labs are stored in ${app.dbPath}`);
  log(`podpath: Podpath is running at ${host.url}`);
  log('podpath: open that address in a browser on this computer; press Ctrl+C to stop');
  return {
    host,
    app,
    close: async () => {
      await host.close();
      app.close();
    },
  };
}

/** The bundle's entry: start, and stop cleanly on Ctrl+C / SIGTERM. */
export async function main(bundleDir: string): Promise<void> {
  const root = process.env['PODPATH_RENDERER_DIR'] || path.join(bundleDir, 'renderer');
  let web: WebApp;
  try {
    web = await startWebApp({ rendererRoot: root });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing = (error as { code?: string }).code === 'ENOENT';
    console.error(
      missing
        ? `podpath: the user interface is not built (${root} is missing); run "npm run build:renderer" or "npm start"`
        : `podpath: cannot start the web host: ${message}`,
    );
    process.exitCode = 1;
    return;
  }
  const stop = (): void => {
    web.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

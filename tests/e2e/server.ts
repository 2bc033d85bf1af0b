/**
 * A tiny static server for the built app (dist/) on 127.0.0.1 with the COOP/COEP headers threaded
 * wasm needs. Also serves arbitrary files with or without CORS headers for download tests.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.zip': 'application/zip',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serveDir(
  root: string,
  opts: { isolation?: boolean; cors?: boolean; spa?: boolean; port?: number } = {},
): Promise<Served> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    let p = normalize(join(base, decodeURIComponent(u.pathname)));
    if (!p.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'index.html');
    if (!existsSync(p)) {
      if (opts.spa) p = join(base, 'index.html');
      else {
        res.writeHead(404).end('not found');
        return;
      }
    }
    const headers: Record<string, string> = {
      'Content-Type': MIME[extname(p).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(statSync(p).size),
      'Cache-Control': 'no-store',
    };
    if (opts.isolation) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'credentialless';
    }
    if (opts.cors) headers['Access-Control-Allow-Origin'] = '*';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(p).pipe(res);
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FaultProxy } from './fault-proxy';
import { InvalidFaultsError, updatedFaults } from './link-faults';

const MAX_BODY_BYTES = 4_096;

/**
 * The proxy's control API, for operators and for the local cluster:
 * - `GET /links`: every link with its faults and counters;
 * - `PUT /links/{from}/{to}` with `{"delayMs": 50}` and/or `{"blackhole": true}`: changes a link's faults;
 * - `POST /links/{from}/{to}/reset`: resets the link's open connections;
 * - `POST /heal`: every link back to healthy.
 * Bad requests get a 4xx with a JSON error body, and change nothing.
 */
export function startControlServer(proxy: FaultProxy, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((request, response) => {
    handle(proxy, request, response).catch((error: unknown) => send(response, 500, { error: String(error) }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function handle(proxy: FaultProxy, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://proxy').pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const method = request.method ?? 'GET';
  if (path.length === 1 && path[0] === 'links') {
    if (method !== 'GET') return methodNotAllowed(response, 'GET');
    return send(response, 200, { links: proxy.status() });
  }
  if (path.length === 1 && path[0] === 'heal') {
    if (method !== 'POST') return methodNotAllowed(response, 'POST');
    proxy.healAll();
    return send(response, 200, { links: proxy.status() });
  }
  if (path[0] !== 'links' || (path.length !== 3 && !(path.length === 4 && path[3] === 'reset'))) {
    return send(response, 404, { error: 'NOT_FOUND', message: 'expected /links, /links/{from}/{to}, /links/{from}/{to}/reset or /heal' });
  }
  const [, from, to] = path;
  const link = proxy.status().find((candidate) => candidate.from === from && candidate.to === to);
  if (link === undefined) return send(response, 404, { error: 'UNKNOWN_LINK', message: `no link from ${from} to ${to}` });

  if (path.length === 4) {
    if (method !== 'POST') return methodNotAllowed(response, 'POST');
    proxy.link(from, to).reset();
    return send(response, 200, proxy.link(from, to).status());
  }
  if (method !== 'PUT' && method !== 'GET') return methodNotAllowed(response, 'GET, PUT');
  if (method === 'GET') return send(response, 200, link);
  let update: unknown;
  try {
    update = JSON.parse(await readBody(request));
  } catch (error) {
    return send(response, 400, { error: 'INVALID_BODY', message: error instanceof Error ? error.message : String(error) });
  }
  try {
    proxy.setFaults(from, to, updatedFaults(link.faults, update));
  } catch (error) {
    if (error instanceof InvalidFaultsError) return send(response, 400, { error: 'INVALID_FAULTS', message: error.message });
    throw error;
  }
  send(response, 200, proxy.link(from, to).status());
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) {
        reject(new Error(`the body is over ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  response.setHeader('Allow', allow);
  send(response, 405, { error: 'METHOD_NOT_ALLOWED', message: `allowed: ${allow}` });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

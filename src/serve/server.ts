// The explorer's HTTP server (node:http: a handful of routes need no framework, and a small surface is easier
// to keep safe). It serves the built page (web/dist), a JSON API over one explanation folder, and nothing else.
//   GET  /                   the page          GET /assets/...        its scripts and styles
//   GET  /api/program        program.json      GET /api/show?path=P   one statement opened (pseudonet show)
//   GET  /api/view           the program as the page shows it (lines, calls, fidelity)
//   GET  /api/weights?prim=ID  a primitive's weights as matrices for heat maps
//   GET  /api/labels         labels.json       PUT /api/labels        one label edit {id, name|null, description?}
//   GET  /files/NAME         an output file (program.txt, report.md, ..., features/NAME.png)
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { UserError } from "../errors.ts";
import { readProgramDir } from "../program/load.ts";
import { expand } from "../program/expand.ts";
import type { Program } from "../program/program.ts";
import { assetPath } from "../util/assets.ts";
import { checkLabelEdit, readLabels, writeLabel } from "../program/labels.ts";
import { programView, weightsOf } from "./view.ts";
import { cleanRelPath, contentType, fileUnder, servedFromDir } from "./paths.ts";

/** Request bodies above this are refused (413) before they are read whole. */
export const MAX_BODY = 1 << 20;

export interface ServeOptions {
  /** The explanation folder (output of pseudonet explain). */
  dir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The built page (default: web/dist in the package). */
  webRoot?: string;
}

export interface Served {
  url: string;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Check the folder and the page, then listen; resolves once the port is bound (a one-line UserError otherwise). */
export async function serve(opts: ServeOptions): Promise<Served> {
  const dir = path.resolve(opts.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${opts.dir} is not a folder; give the output folder of pseudonet explain (or a model.onnx)`);
  let program: Program;
  try {
    program = readProgramDir(dir);
  } catch (e) {
    throw e instanceof UserError ? e : new UserError(`${opts.dir}: cannot read program.json (${(e as Error).message})`);
  }
  const webRoot = opts.webRoot ?? assetPath("web/dist");
  if (!existsSync(path.join(webRoot, "index.html"))) throw new UserError(`the explorer page is not built (${webRoot}/index.html is missing): run npm run build`);
  const server = createServer((req, res) => {
    handle(req, res, { dir, webRoot, program }).catch((e) => send(res, e instanceof HttpError ? e.status : 500, { error: e instanceof Error ? e.message : String(e) }));
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(new UserError(`port ${opts.port} on ${host} is in use; choose another with --port N (or --port 0 for any free port)`));
      else if (e.code === "EACCES") reject(new UserError(`not allowed to listen on ${host}:${opts.port}; choose a port above 1023 with --port N`));
      else if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") reject(new UserError(`--host ${host} is not an address of this machine; use 127.0.0.1 (the default)`));
      else reject(e);
    });
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Ctx {
  dir: string;
  webRoot: string;
  program: Program;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Ctx): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = url.pathname;
  const method = req.method ?? "GET";
  const only = (...ms: string[]) => {
    if (!ms.includes(method)) throw new HttpError(405, `${method} is not allowed on ${route}; use ${ms.join(" or ")}`);
  };
  if (route === "/api/program") {
    only("GET", "HEAD");
    return sendFile(res, path.join(ctx.dir, "program.json"), method);
  }
  if (route === "/api/view") {
    only("GET", "HEAD");
    return send(res, 200, programView(ctx.program, readLabels(ctx.dir)));
  }
  if (route === "/api/weights") {
    only("GET", "HEAD");
    const id = url.searchParams.get("prim") ?? "";
    const ws = weightsOf(ctx.program, id);
    if (!ws) throw new HttpError(404, `no primitive '${id}' in the program`);
    return send(res, 200, { prim: id, weights: ws });
  }
  if (route === "/api/show") {
    only("GET", "HEAD");
    const at = url.searchParams.get("path") ?? "";
    if (!at) throw new HttpError(400, "give ?path=FUNCTION/VAR, a primitive id or a label");
    let text: string;
    try {
      text = expand(ctx.program, at);
    } catch (e) {
      throw new HttpError(404, e instanceof Error ? e.message : String(e));
    }
    return send(res, 200, { path: at, text });
  }
  if (route === "/api/labels") {
    only("GET", "HEAD", "PUT", "POST");
    if (method === "GET" || method === "HEAD") return send(res, 200, readLabels(ctx.dir));
    const body = await readBody(req);
    let edit;
    try {
      edit = checkLabelEdit(JSON.parse(body));
    } catch (e) {
      throw new HttpError(400, e instanceof SyntaxError ? `the body is not JSON: ${e.message}` : (e as Error).message);
    }
    return send(res, 200, writeLabel(ctx.dir, edit.id, edit.label));
  }
  if (route.startsWith("/api/")) throw new HttpError(404, `no API route ${route}`);
  only("GET", "HEAD");
  if (route.startsWith("/files/")) {
    const rel = cleanRelPath(route.slice("/files/".length));
    const file = rel !== undefined && servedFromDir(rel) ? fileUnder(ctx.dir, rel) : undefined;
    if (!file) throw new HttpError(404, "not found");
    return sendFile(res, file, method);
  }
  const rel = route === "/" ? "index.html" : cleanRelPath(route.slice(1));
  const file = rel !== undefined ? fileUnder(ctx.webRoot, rel) : undefined;
  if (!file) throw new HttpError(404, "not found");
  return sendFile(res, file, method);
}

/** The request body as text; 413 past MAX_BODY (declared or streamed). */
function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY) return Promise.reject(new HttpError(413, `the body is over ${MAX_BODY} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new HttpError(413, `the body is over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(text);
}

function sendFile(res: ServerResponse, file: string, method: string): void {
  const data = readFileSync(file);
  res.writeHead(200, { "Content-Type": contentType(file), "Content-Length": data.length, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" });
  res.end(method === "HEAD" ? undefined : data);
}

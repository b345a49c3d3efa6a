// The explorer's server: it serves its page, its API and the explanation's own files, and nothing else; bad
// requests get a clear 4xx and write nothing.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { serve, MAX_BODY, type Served } from "../../src/serve/server.ts";
import { UserError } from "../../src/errors.ts";
import { assetPath } from "../../src/util/assets.ts";
import { explainInto } from "../e2e/helpers.ts";
import { randomMLP } from "../helpers/nets.ts";
import { rng } from "../../src/util/rng.ts";

const built = existsSync(assetPath("web/dist/index.html"));
const skip = built ? false : "the explorer page is not built (web/dist): run npm run build";

/** A raw request: the path is sent exactly as given (no URL normalisation, unlike fetch). */
function raw(url: string, rawPath: string, method = "GET", body?: string | Buffer): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: rawPath, method, headers: body ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" || e.code === "EPIPE" ? resolve({ status: 413, text: "reset" }) : reject(e)));
    if (body) req.write(body);
    req.end();
  });
}

describe("pseudonet serve: the server", { skip }, () => {
  let dir: string;
  let s: Served;
  before(async () => {
    ({ dir } = await explainInto(randomMLP(rng(3), [3, 6, 2]), { domain: "box:-1,1", samples: 50 }, "serve"));
    // Things in and around the folder the server must never hand out.
    writeFileSync(path.join(dir, "secret.txt"), "not for the web");
    writeFileSync(path.join(path.dirname(dir), "outside.txt"), "outside");
    mkdirSync(path.join(dir, "features"));
    symlinkSync(path.join(path.dirname(dir), "outside.txt"), path.join(dir, "features", "leak.png"));
    symlinkSync("/etc/passwd", path.join(dir, "features", "passwd.png"));
    s = await serve({ dir, port: 0 });
  });
  after(() => s?.close());

  it("binds 127.0.0.1 and serves the page and the API", async () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await raw(s.url, "/");
    assert.equal(page.status, 200);
    assert.match(page.text, /<div id="app">/);
    const view = JSON.parse((await raw(s.url, "/api/view")).text);
    assert.equal(view.entry, "main");
    assert.ok(view.functions[0].lines.length >= 2);
    const prim = view.functions[0].lines.find((l: { opens: { kind: string } }) => l.opens.kind === "prim");
    const show = await raw(s.url, `/api/show?path=${encodeURIComponent(prim.path)}`);
    assert.equal(show.status, 200);
    assert.match(JSON.parse(show.text).text, /Net slice|fed by/);
    const w = await raw(s.url, `/api/weights?prim=${prim.opens.id}`);
    assert.equal(w.status, 200);
    assert.equal((await raw(s.url, "/files/program.txt")).status, 200);
  });

  it("answers 404 to traversal, absolute paths, symlinks out and files it does not serve", async () => {
    for (const p of [
      "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/files/../program.json",
      "/files/%2e%2e/%2e%2e/etc/passwd", "/files/..%2f..%2fetc%2fpasswd", "//etc/passwd", "/files//etc/passwd", "/files/%2fetc%2fpasswd",
      "/files/secret.txt", "/files/labels.json", "/files/features/leak.png", "/files/features/passwd.png", "/files/", "/assets/", "/files",
      "/src/serve/server.ts", "/package.json", "/../package.json", "/api/nothing", "/files/%00program.txt", "/%zz",
    ]) {
      const r = await raw(s.url, p);
      assert.equal(r.status, 404, `${p} gave ${r.status}`);
      assert.doesNotMatch(r.text, /root:|not for the web|outside/, p);
    }
  });

  it("refuses bad requests with a clear 4xx and writes nothing", async () => {
    const labels = path.join(dir, "labels.json");
    const cases: [string, string, string | undefined, number, RegExp][] = [
      ["DELETE", "/api/labels", undefined, 405, /not allowed/],
      ["POST", "/api/view", "{}", 405, /not allowed/],
      ["PUT", "/files/program.txt", "x", 405, /not allowed/],
      ["PUT", "/api/labels", "{bad", 400, /not JSON/],
      ["PUT", "/api/labels", JSON.stringify({ id: "p1", name: "1bad name" }), 400, /identifier/],
      ["PUT", "/api/labels", JSON.stringify({ name: "x" }), 400, /"id"/],
      ["PUT", "/api/labels", JSON.stringify([1, 2]), 400, /object/],
      ["GET", "/api/show?path=main/nothing", undefined, 404, /no statement/],
      ["GET", "/api/show", undefined, 400, /path=/],
      ["GET", "/api/weights?prim=p999", undefined, 404, /no primitive/],
    ];
    for (const [m, p, body, status, msg] of cases) {
      const r = await raw(s.url, p, m, body);
      assert.equal(r.status, status, `${m} ${p}: ${r.status} ${r.text}`);
      assert.match(JSON.parse(r.text).error, msg);
    }
    const big = await raw(s.url, "/api/labels", "PUT", JSON.stringify({ id: "p1", name: "x", description: "y".repeat(MAX_BODY) }));
    assert.equal(big.status, 413);
    assert.equal(existsSync(labels), false, "a refused request wrote labels.json");
  });

  it("keeps both of two concurrent edits of different items; the last write per item wins", async () => {
    const put = (id: string, name: string) => raw(s.url, "/api/labels", "PUT", JSON.stringify({ id, name, description: `the ${name}` }));
    await Promise.all([put("p1", "first_layer"), put("main/y", "scores")]);
    await put("p1", "first_layer_renamed");
    const labels = JSON.parse(readFileSync(path.join(dir, "labels.json"), "utf8"));
    assert.deepEqual(Object.keys(labels.items).sort(), ["main/y", "p1"]);
    assert.equal(labels.items.p1.name, "first_layer_renamed");
    const removed = await raw(s.url, "/api/labels", "PUT", JSON.stringify({ id: "main/y", name: null }));
    assert.equal(removed.status, 200);
    assert.deepEqual(Object.keys(JSON.parse(removed.text).items), ["p1"]);
  });

  it("says clearly when the port is in use or the folder is not an explanation", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    await assert.rejects(serve({ dir, port }), (e: Error) => e instanceof UserError && /port \d+ on 127\.0\.0\.1 is in use; choose another with --port/.test(e.message));
    blocker.close();
    await assert.rejects(serve({ dir: path.join(dir, "nope"), port: 0 }), (e: Error) => e instanceof UserError && /is not a folder/.test(e.message));
    await assert.rejects(serve({ dir: path.join(dir, "features"), port: 0 }), (e: Error) => e instanceof UserError && /no program\.json/.test(e.message));
  });
});

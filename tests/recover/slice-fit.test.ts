// Trained networks are never exactly max or |x|: the fit names them anyway, keeps the rest as a stated residual,
// and the program still equals the network. Tiny nets are trained here (seeded full-batch gradient descent).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { printProgram } from "../../src/program/printer.ts";
import { allPrimStmts } from "../../src/program/program.ts";
import { rng } from "../../src/util/rng.ts";
import { explainNet, toNet, type Dense } from "./slice-nets.ts";

/** A one-hidden-layer ReLU net from its units ([incoming weights, bias, outgoing weight(s)]) and output biases. */
function fromUnits(units: [number[], number, number | number[]][], b2: number[]): Dense[] {
  const out = (u: [number[], number, number | number[]], o: number) => (Array.isArray(u[2]) ? u[2][o] : u[2]);
  return [{ W: units.map((u) => u[0]), b: units.map((u) => u[1]), relu: true }, { W: b2.map((_, o) => units.map((u) => out(u, o))), b: b2, relu: false }];
}

/** A 1-hidden-layer ReLU net n -> h -> 1 trained by full-batch gradient descent on f over [-1, 1]^n (seeded). */
function train(n: number, h: number, f: (x: number[]) => number, seed: number, steps = 3000): Dense[] {
  const r = rng(seed);
  const W1 = Array.from({ length: h }, () => Array.from({ length: n }, () => (2 * r() - 1) * Math.sqrt(2 / n)));
  const b1 = Array.from({ length: h }, () => 0.1 * (2 * r() - 1));
  const W2 = Array.from({ length: h }, () => (2 * r() - 1) * Math.sqrt(1 / h));
  let b2 = 0;
  const X = Array.from({ length: 256 }, () => Array.from({ length: n }, () => 2 * r() - 1));
  const Y = X.map(f);
  const lr = 0.05;
  for (let s = 0; s < steps; s++) {
    const gW1 = W1.map((row) => row.map(() => 0)), gb1 = b1.map(() => 0), gW2 = W2.map(() => 0);
    let gb2 = 0;
    X.forEach((x, k) => {
      const pre = W1.map((row, j) => row.reduce((a, w, i) => a + w * x[i], b1[j]));
      const hid = pre.map((p) => Math.max(0, p));
      const y = hid.reduce((a, v, j) => a + v * W2[j], b2);
      const d = (2 * (y - Y[k])) / X.length;
      gb2 += d;
      hid.forEach((v, j) => {
        gW2[j] += d * v;
        if (pre[j] > 0) {
          gb1[j] += d * W2[j];
          x.forEach((xi, i) => (gW1[j][i] += d * W2[j] * xi));
        }
      });
    });
    W1.forEach((row, j) => row.forEach((_, i) => (row[i] -= lr * gW1[j][i])));
    b1.forEach((_, j) => (b1[j] -= lr * gb1[j]));
    W2.forEach((_, j) => (W2[j] -= lr * gW2[j]));
    b2 -= lr * gb2;
  }
  return [{ W: W1, b: b1, relu: true }, { W: [W2], b: [b2], relu: false }];
}

describe("fitted primitives on trained nets", () => {
  for (const [name, n, f, re] of [
    ["max", 2, (x: number[]) => Math.max(x[0], x[1]), /y_named = max\(x\[0\], x\[1\]\)/],
    ["abs", 1, (x: number[]) => Math.abs(x[0]), /y_named = abs\(x\)/],
  ] as const) {
    it(`a net trained on ${name} reads ${name} plus a stated residual, and equals the net`, () => {
      const layers = train(n, 8, f, 3);
      const { program, maxErr } = explainNet(toNet(layers, n), n, -1, 1, 5);
      const text = printProgram(program);
      assert.match(text, re, text);
      // The residual's size is stated: measured on the samples, or bounded over the box (one input: every breakpoint checked).
      assert.match(text, /y_rest = residual_1\(x, y_named\) +# max \|r\| \S+ on (\d+ samples|the box \[-1, 1\] \(every breakpoint checked\))/, text);
      assert.match(text, /def residual_1\(x: vec\[\d\], named: vec\[1\]\)/);
      assert.ok(maxErr < 1e-5, `program vs net ${maxErr}`);
    });
  }

  // Nets PyTorch trained at other seeds on which the fit named 0.5 (x0 + x1) +- 0.5 |x0 - x1| instead of max / min:
  // once the identity rules have read their pairs, the slice the fit sees is max (min) to float rounding, and both
  // candidates span the same functions, so their errors differed by float noise only (1.2e-8 vs 4.3e-9), whose
  // ratio chose. Rows: [W1 row, b1, W2 entry]; then b2.
  const trained: [string, [number[], number, number][], number][] = [
  // max2-h8-s12: 2-8-1 trained by PyTorch on max(x0, x1) over [-1, 1]^2 (bench/trained_variants.py, seed 12)
  ["max", [
    [[0.288511038, -0.108085029], 0.764708936, 0.137735322],
    [[-0.458760202, -0.12640059], 0.561871827, -0.31449914],
    [[-0.774692714, -0.610005736], -0.241511688, -0.569448948],
    [[0.574037254, -0.569899559], 0.000618816062, 0.652332366],
    [[1.09462547, 0.861954212], 0.341251731, 0.403020382],
    [[-0.875193655, 0.878933609], 0.000552938902, 0.714771867],
    [[0.117384367, 0.186433792], -0.484659761, -0.0467660166],
    [[0.265387535, -0.332503766], 0.549542546, 0.00142830703],
  ], -0.0673432872],
  // min2-h8-s10: 2-8-1 trained by PyTorch on min(x0, x1) over [-1, 1]^2 (bench/trained_variants.py, seed 10)
  ["min", [
    [[-0.0592772663, -0.0242444687], -0.293627977, -0.345947444],
    [[-0.605240464, 0.60229218], -0.00098418002, -0.723708093],
    [[-0.923571467, -0.716343164], 0.198726311, -0.608481288],
    [[-0.0172539074, 0.361224204], -0.371364057, -0.146991581],
    [[0.67927295, -0.681844532], -0.000861929671, -0.827336311],
    [[0.0678004548, -0.079247117], -0.625765145, 0.154986858],
    [[0.288631141, 0.0809646025], -0.609955907, 0.21685186],
    [[0.901595235, 0.699290395], -0.193994015, 0.623334169],
  ], 0.12020652],
  // max2-h16-s14: 2-16-1, seed 14 (a unit active on one analysis row read as a threshold hid max from the fit)
  ["max", [
    [[-0.108686559, -0.582289755], 0.687917233, -0.295660138],
    [[0.642354727, 0.533789277], -0.155189827, 0.25729993],
    [[0.36354503, 0.315876216], 0.650874376, 0.33141464],
    [[-0.368273765, -0.318782449], 0.650829375, -0.134590089],
    [[-0.318178058, 0.318672091], -0.00100028631, 0.172139853],
    [[-0.415247649, 0.383330137], -0.781037807, -0.125150323],
    [[-0.0491504222, 0.2673693], -0.3063685, -0.0556211956],
    [[0.137755603, -0.209096164], 0.518314421, 0.148031056],
    [[-0.832285047, 0.859853506], 0.00492465496, 0.14913702],
    [[0.299975514, 0.00979342591], 0.306156814, 0.332876384],
    [[-0.730935335, 0.733569384], -0.00166714762, 0.411135256],
    [[0.624971807, -0.621691287], -0.000634286029, 0.547400177],
    [[0.473085165, -0.268688977], 0.447521448, -0.0200206265],
    [[0.00285891746, 0.459901005], 0.459563434, 0.178286299],
    [[-0.56121099, -0.469228387], 0.13493523, -0.293079108],
    [[0.495282024, -0.486755878], 0.00216783769, 0.362928808],
  ], -0.137256503],
  ];
  for (const [name, units, b2] of trained) {
    it(`a PyTorch net trained on ${name} at another seed reads ${name}(x[0], x[1]), not its affine + abs form`, () => {
      const layers = fromUnits(units, [b2]);
      const { program, maxErr } = explainNet(toNet(layers, 2), 2, -1, 1, 5);
      const text = printProgram(program);
      assert.match(text, new RegExp(`y_named = ${name}\\(x\\[0\\], x\\[1\\]\\) `), text);
      assert.ok(maxErr < 1e-5, `program vs net ${maxErr}`);
    });
  }

  // [clamp(x0, -1, 2), max(x1, x2)] over [-3, 3]^3, trained by PyTorch into one layer of 16 units (bench/trained_variants.py
  // clampmax-h16-s10): no output is a function of one input, so the whole-net piecewise reading does not apply, and
  // the slice was left unnamed: the fit had no clamp candidate (its breakpoints must be fitted: fit-clamp.ts), and a
  // fitted slice with one output unexplained is not worth naming. Rows: [W1 row, b1, W2 column]; then b2.
  const clampMax: [number[], number, number[]][] = [
    [[0.342810899, -0.40639478, -0.156544238], -0.580041766, [-0.84488517, -0.367700219]],
    [[0.283970714, -0.00283173053, -0.00327129359], 0.284080118, [0.259951115, -0.26087451]],
    [[0.259802282, 0.839591563, 0.5091483], -0.581565559, [-0.137303531, 0.549731731]],
    [[-0.490421742, 0.582537472, 0.223734573], 0.829499125, [0.58492732, 0.257900476]],
    [[0.00148767629, -0.390479296, 0.391083181], -0.0226675216, [-0.063582927, 0.386787713]],
    [[0.832939446, -0.0011321716, -0.00341200852], 0.820956171, [0.53410995, 0.114266776]],
    [[0.531676054, 0.00502110366, 0.00535787409], 0.538914263, [0.91547823, -0.0424394198]],
    [[-0.78330785, -0.000286250812, 0.00016059351], 1.56550157, [-1.26931477, -0.0103572365]],
    [[-0.306629479, -0.979418397, -0.592288673], 0.684486568, [0.182166263, -0.511071444]],
    [[-0.961238682, -0.436486304, 0.163034305], 0.545617461, [0.674261808, 0.0387224481]],
    [[0.256923884, 0.207653865, 0.138515785], 0.342813849, [-0.0421317667, -0.0019621891]],
    [[3.45553744e-05, 0.622461379, -0.623111129], -0.0078013665, [0.212489992, 0.588715196]],
    [[-0.0018119266, -0.844531894, 0.845130384], -0.0195997395, [-0.104429819, 0.497524202]],
    [[0.206806034, 0.590151846, 0.351798594], -0.454323322, [-0.0996258184, 0.0648732781]],
    [[0.71574235, 0.324682891, -0.12269228], -0.406435639, [-0.90240103, -0.0482545644]],
    [[0.00558650307, -0.391798764, 0.385972708], 0.0939506292, [-0.0498907678, 0.160063222]],
  ];
  const clampB2 = [0.0188544337, 0.137450427];
  it("a PyTorch net trained on [clamp(x0, -1, 2), max(x1, x2)] reads both, breakpoints fitted, residual stated", () => {
    const layers = fromUnits(clampMax, clampB2);
    const { program, maxErr } = explainNet(toNet(layers, 3), 3, -3, 3, 5);
    const text = printProgram(program);
    assert.match(text, /= clamp\(x\[0\], -1, 2\) +# local error/, text);
    assert.match(text, /= max\(x\[1\], x\[2\]\) +# local error/, text);
    assert.match(text, /y_rest = residual_1\(x, y_named\) +# max \|r\| \S+ on \d+ samples/, text);
    assert.ok(maxErr < 1e-5, `program vs net ${maxErr}`);
    // Each name states its own output's error; the residual, the larger.
    const errs = ["clamp", "max"].map((k) => allPrimStmts(program).find(({ stmt }) => (stmt.prim.kind === "act" ? "clamp" : stmt.prim.kind) === k)!.stmt.prim.error);
    const rest = Number(/max \|r\| (\S+) on/.exec(text)![1]);
    assert.ok(errs[0] !== errs[1] && Math.abs(Math.max(...errs) - rest) <= 0.06 * rest, `${errs} vs ${rest}`);
  });

  // clampmax-h16-s14: two of its ramps already read as a clamp by the identity rule, and the fit refused any slice
  // with atoms other than relus, so neither output was named.
  const clampMaxS14: [number[], number, number[]][] = [
    [[-0.111051053, -0.586307526, 0.349678695], -0.236310929, [0.00423770584, -0.00568783609]],
    [[0.356992126, 1.06096232, -0.0118568102], 0.504038155, [-0.271678925, 0.308921337]],
    [[-0.662415206, 0.00375793572, -0.00249189185], 1.33888412, [-0.237126201, -0.0302018262]],
    [[-0.00315573881, -0.591438651, 0.588452876], 0.0191505197, [-0.0697659627, 0.425733566]],
    [[-0.218286008, 0.978040874, -0.0339968428], 0.410521179, [0.249766901, 0.489114434]],
    [[0.00175500719, -0.910731077, 0.911980391], -0.0165463276, [-0.085187383, 0.56665206]],
    [[0.108025305, -0.00308204768, -0.00208101864], -0.40995574, [-0.15777944, -0.207515091]],
    [[0.997769773, -0.000538778608, -0.00161303626], 1.00518847, [0.484774679, -0.0889099315]],
    [[0.513914466, 0.00081815233, -0.000150723572], 0.514099181, [0.152501211, 0.239613533]],
    [[0.0435374975, -0.358529001, -0.0373681225], 1.23021281, [-0.125079542, -0.541083753]],
    [[0.000513887615, -0.625222147, 0.625902355], 0.00206438312, [0.187920496, 0.374211401]],
    [[0.662771702, 0.000719317293, -0.000447353203], -1.32281852, [-1.27134204, 0.0288102441]],
    [[0.292044044, -1.30824852, 0.0453485064], -0.549148738, [-0.186903208, -0.365355968]],
    [[0.585247159, -0.00239410019, 7.44071876e-05], 0.584758818, [0.318038791, 0.0133018782]],
    [[-0.357307255, -1.06211579, 0.0105298935], -0.5047611, [0.270536184, -0.307539165]],
    [[0.653171718, 0.00225607539, 0.00201943191], 0.643755257, [0.385356724, -0.0646645352]],
  ];
  const clampB2s14 = [-0.493972272, 0.349481523];
  it("a PyTorch net trained on [clamp(x0, -1, 2), max(x1, x2)] whose ramps partly read as a clamp is still fitted whole", () => {
    const layers = fromUnits(clampMaxS14, clampB2s14);
    const { program, maxErr } = explainNet(toNet(layers, 3), 3, -3, 3, 5);
    const text = printProgram(program);
    assert.match(text, /= clamp\(x\[0\], -1, 2\) +# local error/, text);
    assert.match(text, /= max\(x\[1\], x\[2\]\) +# local error/, text);
    assert.ok(maxErr < 1e-5, `program vs net ${maxErr}`);
  });

  it("a unit active on one analysis row is no threshold: max2-h16-s14 with its least active unit firing on one row reads max", async () => {
    const { probe } = await import("../../src/passes/probe.ts");
    const { buildProgram } = await import("../../src/program/build.ts");
    const { rng } = await import("../../src/util/rng.ts");
    const [, units, b2] = trained.find((t) => t[1].length === 16)!;
    const layers = fromUnits(units, [b2]);
    // The unit active on the smallest part of the box fires on one analysis row only (as a near-dead unit of a
    // trained net does on a finite sample), so the probe calls it binary (two values, 0 and that row's).
    const pre = (x: number[], u: (typeof units)[number]) => u[0][0] * x[0] + u[0][1] * x[1] + u[1];
    const grid = Array.from({ length: 41 * 41 }, (_, k) => [-1 + (k % 41) / 20, -1 + Math.floor(k / 41) / 20]);
    const share = units.map((u) => grid.filter((x) => pre(x, u) > 0).length);
    const rare = units[share.indexOf(Math.min(...share.filter((c) => c > 0)))];
    const r = rng(5);
    const rows: number[][] = [grid.find((x) => pre(x, rare) > 0)!];
    while (rows.length < 400) {
      const x = [2 * r() - 1, 2 * r() - 1];
      if (pre(x, rare) <= 0) rows.push(x);
    }
    const net = toNet(layers, 2);
    const { stats } = probe({ net, data: { x: { dtype: "float32", shape: [400, 2], data: Float32Array.from(rows.flat()) } } });
    assert.ok(stats.layers.some((l) => l.binary.some(Boolean)), "the probe calls the rare unit binary");
    const built = buildProgram(net, { stats, modules: false, box: { lo: -1, hi: 1 } });
    const text = printProgram(built.program);
    assert.match(text, /y_named = max\(x\[0\], x\[1\]\) /, text);
    const rules = built.report.slices.flatMap((sl) => sl.rules);
    assert.ok(!rules.some((x) => x.startsWith("threshold")), `no threshold read from one row: ${rules}`);
  });

  it("does not name a net trained on something else (a smooth bump)", () => {
    const layers = train(2, 8, (x) => Math.exp(-2 * (x[0] * x[0] + x[1] * x[1])), 4);
    const { program } = explainNet(toNet(layers, 2), 2, -1, 1, 5);
    assert.doesNotMatch(printProgram(program), /= (max|min|abs|clamp)\(/);
  });
});

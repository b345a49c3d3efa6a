// Errors the CLI turns into one clear line and an exit code, never a stack trace.
import type { Node } from "./graph/graph.ts";

/** Bad input from the user (file, model, data, flags): exit code 2. Message says what, where, and what to do. */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** A problem located at one graph node: names the node and its op. */
export class OpError extends UserError {
  constructor(readonly node: Pick<Node, "name" | "op">, message: string) {
    super(`node '${node.name}' (${node.op}): ${message}`);
    this.name = "OpError";
  }
}

/** An op with no kernel here: names the node, op, opset and what is supported. */
export class UnsupportedOpError extends UserError {
  constructor(readonly node: Pick<Node, "name" | "op" | "domain">, readonly opset: number, supported: readonly string[]) {
    const dom = node.domain ? `${node.domain}.` : "";
    super(
      `node '${node.name}' uses op ${dom}${node.op} (opset ${opset}), which pseudonet does not support yet. ` +
        `Supported ops: ${[...supported].sort().join(", ")}. Run with --engine ort to execute it with onnxruntime.`,
    );
    this.name = "UnsupportedOpError";
  }
}

/** A command that ran to the end but whose result is a failure the exit code must show (e.g. verify: 3 when an
 *  artifact exceeds the tolerance). The CLI prints the message as one line and exits with `exitCode`. */
export class ResultError extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
    this.name = "ResultError";
  }
}

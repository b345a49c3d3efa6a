// Reading the Program of an explanation folder (or a program.json file).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";
import { parseProgram } from "./json.ts";
import type { Program } from "./program.ts";

/** The Program in an explanation folder's program.json (or in a program.json path), validated. */
export function readProgramDir(dirOrFile: string): Program {
  if (!existsSync(dirOrFile)) throw new UserError(`${dirOrFile} does not exist; give the output folder of pseudonet explain`);
  const file = statSync(dirOrFile).isDirectory() ? path.join(dirOrFile, "program.json") : dirOrFile;
  if (!existsSync(file)) throw new UserError(`${dirOrFile} holds no program.json: is it the output folder of pseudonet explain?`);
  return parseProgram(readFileSync(file, "utf8"), file);
}

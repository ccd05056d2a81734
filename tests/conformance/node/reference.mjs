// Runs the reference zod schema of @crystallize/schema on mass-operation files.
//
//   node reference.mjs FILE...     -> {"files": [{path, valid, envelope, operations}]}
//   node reference.mjs --intents   -> {"intents": [...]} (every intent the reference knows)
//
// One process checks many files, so the Python test starts node once per corpus file
// (or once for many), not once per operation. Each operation is parsed on its own with
// the reference's operation schema (safeParse), so one bad operation does not hide
// the verdict on the others; `valid` is the whole file parsed by OperationsSchema.
import { readFileSync } from "node:fs";
import { OperationSchema, OperationsSchema } from "@crystallize/schema/mass-operation";

function issues(error) {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

function intents() {
  return OperationSchema.options.map((option) => option.shape.intent.value);
}

function check(path) {
  const data = JSON.parse(readFileSync(path, "utf8"));
  const whole = OperationsSchema.safeParse(data);
  const operations = Array.isArray(data?.operations) ? data.operations : [];
  const version = OperationsSchema.shape.version.safeParse(data?.version);
  return {
    path,
    valid: whole.success,
    envelope: { ok: version.success, issues: version.success ? [] : issues(version.error) },
    operations: operations.map((operation, index) => {
      const result = OperationSchema.safeParse(operation);
      return {
        index,
        intent: typeof operation?.intent === "string" ? operation.intent : null,
        ok: result.success,
        issues: result.success ? [] : issues(result.error),
      };
    }),
  };
}

const args = process.argv.slice(2);
const answer = args[0] === "--intents" ? { intents: intents() } : { files: args.map(check) };
process.stdout.write(JSON.stringify(answer) + "\n");

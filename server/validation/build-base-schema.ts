// Build step (after tsc): writes the compiled base-schema validator as plain JavaScript so the server
// loads it in a fraction of the time ajv needs to compile the schema. Run: node dist/server/validation/build-base-schema.js
import standaloneCode from 'ajv/dist/standalone';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { compileBaseSchema, GENERATED_VALIDATOR, SCHEMA_ID, SCHEMA_STAMP } from './base-schema';

function main(): void {
  const started = performance.now();
  const { ajv } = compileBaseSchema(true);
  // The stamp lets base-schema.ts refuse a module generated from an older schema repair.
  const code = `${standaloneCode(ajv, { validate: SCHEMA_ID })}\nexports.schemaStamp = ${JSON.stringify(SCHEMA_STAMP)};\n`;
  mkdirSync(dirname(GENERATED_VALIDATOR), { recursive: true });
  writeFileSync(GENERATED_VALIDATOR, code);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`base-schema validator: ${GENERATED_VALIDATOR} (${(code.length / 1e6).toFixed(1)} MB, ${seconds} s)`);
}

main();

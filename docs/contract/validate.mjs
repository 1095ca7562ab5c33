// Parses an AsyncAPI document with the official parser; fails on any error or warning.
import { Parser, fromFile } from '@asyncapi/parser';

const { document, diagnostics } = await fromFile(new Parser(), process.argv[2]).parse();
// severity: 0 error, 1 warning, 2 information, 3 hint
const serious = diagnostics.filter((d) => d.severity <= 1);
for (const d of diagnostics) console.log(['error', 'warning', 'info', 'hint'][d.severity], d.code, d.path.join('.'), d.message);
console.log(document && serious.length === 0 ? 'asyncapi.yaml: valid' : 'asyncapi.yaml: INVALID');
process.exit(document && serious.length === 0 ? 0 : 1);

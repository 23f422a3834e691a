// Preloaded into the server by bench/large-requests.ts (`NODE_OPTIONS=-r .../gc-trace.js`): V8's GC trace
// on, which NODE_OPTIONS may not set directly. One line per collection goes to stdout.
import v8 from 'node:v8';

v8.setFlagsFromString('--trace-gc');

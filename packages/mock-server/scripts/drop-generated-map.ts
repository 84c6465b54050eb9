// After the build: the console script's module is one minified string, so its source map maps one line and
// carries the whole script again as its source (28 kB of the package). Drop the map and the comment naming it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const script = new URL('../dist/src/console/generated/script.js', import.meta.url);
rmSync(new URL('script.js.map', script), { force: true });
writeFileSync(script, readFileSync(script, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));

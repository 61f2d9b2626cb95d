// Lets a bench load the TypeScript sources (src/, bench/lib/*.ts) directly, without a build:
// Node 24 runs .ts files itself (--experimental-transform-types, for the parameter properties a few
// classes use); this hook maps the `.js` specifiers the sources import (NodeNext style) to the
// `.ts` file next to them. Use: node --experimental-transform-types --import ./bench/lib/ts-hooks.mjs …
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
      const url = new URL(specifier, context.parentURL);
      if (!existsSync(fileURLToPath(url))) {
        const ts = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
        if (existsSync(fileURLToPath(ts))) return nextResolve(ts.href, context);
      }
    }
    return nextResolve(specifier, context);
  },
});

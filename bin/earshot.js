#!/usr/bin/env node
// Entry point for `earshot` / `npx earshot`: runs the TypeScript sources through tsx (no build step).
process.env.DOTENV_CONFIG_QUIET = 'true'; // natural reads ./.env at import and would print to stdout
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
await main(process.argv);

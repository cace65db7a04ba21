/* eslint-disable @typescript-eslint/no-require-imports */
/* global __dirname */
// Builds the dashboard (web/dist) for the gateway to serve: installs web/ dependencies when
// web/node_modules is missing, then builds when web/dist is missing (or always with --force).
// Used by `npm start` so a fresh checkout serves the dashboard without extra steps.
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const web = join(__dirname, '..', 'web');
const force = process.argv.includes('--force');
const run = (cmd) => execSync(cmd, { cwd: web, stdio: 'inherit' });

if (!existsSync(join(web, 'package.json'))) process.exit(0);
if (!existsSync(join(web, 'node_modules'))) {
  process.stdout.write('web: installing dashboard dependencies (npm ci)…\n');
  run('npm ci --no-audit --no-fund');
}
if (force || !existsSync(join(web, 'dist', 'index.html'))) {
  process.stdout.write('web: building the dashboard…\n');
  run('npm run build');
}

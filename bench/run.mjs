// Runs every benchmark in turn; each prints its own figures. Run as root after scripts/setup.sh.
import { spawnSync } from 'node:child_process';

for (const b of ['ipam.mjs', 'netns-deploy.mjs', 'docker-deploy.mjs', 'microvm-deploy.mjs', 'pool.mjs']) {
  console.log(`\n== ${b}`);
  const r = spawnSync(process.execPath, [new URL(b, import.meta.url).pathname], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}

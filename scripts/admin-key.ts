/**
 * @module `npm run admin-key -- <deployment> [--read-only]`: prints a Convex admin key for a
 * deployment, made from the Worker secret INSTANCE_SECRET (read from the environment, never
 * from an argument, so it stays out of shell history). The key works with `npx convex deploy`
 * (CONVEX_SELF_HOSTED_ADMIN_KEY), the dashboard and the Worker's /_deployment admin API.
 * With --instance-secret it prints the deployment's own Convex INSTANCE_SECRET instead (what a
 * Convex backend run elsewhere needs to keep accepting these keys).
 */
import { deriveInstanceSecret, issueAdminKey } from '../worker/admin/admin-key.ts';
import { isDeploymentName } from '../worker/routes/hosts.ts';

const args = process.argv.slice(2);
const deployment = args.find((a) => !a.startsWith('--'));
const master = process.env.INSTANCE_SECRET?.trim();
if (!deployment || !isDeploymentName(deployment) || !master) {
  console.error('usage: INSTANCE_SECRET=<64 hex> npm run admin-key -- <deployment> [--read-only | --instance-secret]');
  process.exit(2);
}
let instanceSecret: string;
try {
  instanceSecret = await deriveInstanceSecret(master, deployment);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
console.log(args.includes('--instance-secret') ? instanceSecret : await issueAdminKey(deployment, instanceSecret, { readOnly: args.includes('--read-only') }));

import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { AppError } from '../server/lib/errors';

/**
 * `npm run create-operator -- --username <用户名> --name <姓名>`: creates the first operator (a
 * super admin) of a new deployment, once. Prints a one-time password once; at first login the
 * operator must set their own password, then set up TOTP where it is required (production).
 * Refuses when a super admin already exists: from then on operators are invited from /admin/staff.
 * Exit codes: 0 created, 1 refused, 2 bad arguments or configuration.
 */
const usage = 'usage: npm run create-operator -- --username <用户名> --name <姓名>';

async function main(): Promise<number> {
  let values: { username?: string; name?: string };
  try {
    ({ values } = parseArgs({ options: { username: { type: 'string' }, name: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return 2;
  }
  if (!values.username || !values.name) {
    process.stderr.write(`--username and --name are required\n${usage}\n`);
    return 2;
  }
  const config = loadConfig();
  const container = await createContainer(config);
  try {
    const { account, oneTimePassword } = await container.services.staff.createFirstOperator(
      { username: values.username, displayName: values.name },
      { kind: 'system', id: 'create-operator' },
    );
    process.stdout.write(
      [
        `Created operator ${values.username.trim().toLowerCase()} (${account.displayName}, 超级管理员, id ${account.id}).`,
        `One-time password (shown only now): ${oneTimePassword}`,
        'Sign in at /admin/login; you will be asked to set your own password first' +
          (config.mfaRequired ? ', then to set up two-step verification (TOTP).' : '.'),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const fields = Object.entries(err.fields ?? {}).map(([k, v]) => `\n  ${k}: ${v}`).join('');
    process.stderr.write(`create-operator refused: ${err.message}${fields}\n`);
    return 1;
  } finally {
    await container.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `create-operator failed: ${(err as Error).stack ?? err}\n`);
    process.exit(2);
  },
);

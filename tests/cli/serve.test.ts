import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cmdbProcess } from '../helpers/cli.ts';
import { entity, TestRepo } from '../helpers/gitRepo.ts';

let repo: TestRepo;
let holder: net.Server;
let port: number;

beforeAll(async () => {
  repo = TestRepo.create();
  repo.commit({ 'team.yaml': entity('Group', 'team', { type: 'team' }) });
  holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as net.AddressInfo).port;
});
afterAll(async () => {
  repo.remove();
  await new Promise((r) => holder.close(r));
});

it('says which port is in use and how to choose another, from --port or PORT', () => {
  const expected = `cmdb: port ${port} on 127.0.0.1 is already in use: choose another with --port N or the PORT environment variable (0 picks a free port)\n`;
  const flag = cmdbProcess(['serve', '--repo', repo.dir, '--port', String(port)], { CMDB_LOG_LEVEL: 'silent' });
  expect(flag.code).toBe(2);
  expect(flag.stderr).toBe(expected);
  const env = cmdbProcess(['serve', '--repo', repo.dir], { PORT: String(port), CMDB_LOG_LEVEL: 'silent' });
  expect(env.code).toBe(2);
  expect(env.stderr).toBe(expected);
});

it('refuses a PORT that is not a port number, naming it', () => {
  const r = cmdbProcess(['serve', '--repo', repo.dir], { PORT: 'eighty' });
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('cmdb: PORT="eighty" is not a port number (0-65535)\n');
});

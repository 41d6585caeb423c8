import { Teardown } from '@geokv/test-support';
import { providePostgres } from './backing-services';

describe('npm start with a DATABASE_URL of its own', () => {
  const saved = process.env.DATABASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('refuses one the apps could not use, naming DATABASE_URL without its password', async () => {
    process.env.DATABASE_URL = 'postgres://app:s3cret@127.0.0.1:99999/geokv';
    const refused = providePostgres('/nonexistent', new Teardown()).then(
      () => 'accepted',
      (error: Error) => error.message,
    );
    await expect(refused).resolves.toBe(
      'DATABASE_URL must be a postgres:// or postgresql:// URL (a port up to 65535) (got "postgres://***@127.0.0.1:99999/geokv")',
    );
  });
});

// Runs before each test file. On the PostgreSQL pass (CYRANGE_TEST_DB=postgres), the CLI processes and
// servers a file starts get a schema of their own through CYRANGE_DATABASE_URL, as on SQLite each gets
// its own state directory: suites that bootstrap their own admin or users never meet.
import { ON_PG, freshLocation } from './store-backend.js';

if (ON_PG) {
  const loc = await freshLocation();
  if ('url' in loc) process.env.CYRANGE_DATABASE_URL = loc.url;
}

import Fastify from 'fastify';

// The reference for geokv's GET: the fastest a Node HTTP route answers on this machine.
// Run as its own process (like the gateway) so it does not share an event loop with autocannon.

const app = Fastify({ logger: false });
app.get('/', async () => 'ok');

process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' }).catch((error: unknown) => {
  console.error('bare fastify failed to listen:', error);
  process.exit(1);
});

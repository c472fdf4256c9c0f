// The baseline: the same HTTP framework (fastify) with an empty JSON route, nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/empty', async () => ({}));
const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`listening on ${url}`);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));

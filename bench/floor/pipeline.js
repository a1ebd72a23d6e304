'use strict';
// The email pipeline's raw floor, in one process: an HTTP request → BullMQ `add` → one BullMQ worker →
// nodemailer (pooled, like the notifier) → the SMTP sink, and nothing else (no database, no sealing, no
// templates, no delivery result). `POST /send {to}` answers 201 {$id} once the job is in Redis; the mail
// carries the id so the load generator can match it, like the product's challenge id.
// Env: REDIS_URL, FLOOR_PREFIX (BullMQ prefix), SMTP_URL, PORT, HOST (127.0.0.1), FLOOR_CONCURRENCY (10, the
// notifier's OTP_DELIVERY_CONCURRENCY default), FLOOR_SMTP_POOL (5, the notifier's SMTP_POOL_SIZE default).
const http = require('node:http');
const { randomBytes, randomInt } = require('node:crypto');
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');
const nodemailer = require('nodemailer');

const redisOpts = { maxRetriesPerRequest: null, enableReadyCheck: true };
const producer = new IORedis(process.env.REDIS_URL, redisOpts);
const consumer = new IORedis(process.env.REDIS_URL, redisOpts);
const prefix = process.env.FLOOR_PREFIX || 'bench-floor';
const QUEUE = 'floor-email';
const queue = new Queue(QUEUE, { connection: producer, prefix });
queue.on('error', () => undefined);
const transport = nodemailer.createTransport({
  url: process.env.SMTP_URL,
  pool: true,
  maxConnections: Number(process.env.FLOOR_SMTP_POOL || 5),
  maxMessages: 1000,
});
const worker = new Worker(
  QUEUE,
  async (job) => {
    await transport.sendMail({
      from: 'Floor <no-reply@bench.example.com>',
      to: job.data.to,
      subject: `Your code is ${job.data.code}`,
      text: `Your code is ${job.data.code} (${job.data.id}).`,
      html: `<p>Your code is <strong>${job.data.code}</strong> (${job.data.id}).</p>`,
    });
  },
  { connection: consumer, prefix, concurrency: Number(process.env.FLOOR_CONCURRENCY || 10), removeOnComplete: { count: 0 } },
);
worker.on('error', () => undefined);

function send(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'POST' && path === '/send') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let to;
      try {
        to = JSON.parse(Buffer.concat(chunks).toString('utf8')).to;
      } catch {
        return send(res, 400, { message: 'bad body' });
      }
      const id = randomBytes(10).toString('hex');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      queue.add('code', { id, to, code }, { jobId: id, removeOnComplete: true, attempts: 3 }).then(
        () => send(res, 201, { $id: id }),
        () => send(res, 503, { message: 'queue unavailable' }),
      );
    });
  } else if (path === '/health/ready') {
    send(res, worker.isRunning() ? 200 : 503, { status: worker.isRunning() ? 'ok' : 'starting' });
  } else send(res, 404, { message: 'Route not found' });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  Promise.allSettled([worker.close(), queue.close()])
    .then(() => transport.close())
    .finally(() => {
      producer.disconnect();
      consumer.disconnect();
      process.exit(0);
    });
});

// The peer of Herald's ws-fanout benchmark: a socket.io 4 server doing the live part of one ws-fanout
// node's job. Clients authenticate with the same HS256 JWT (in the socket.io auth payload), join a room named
// after their user id, and get every notification for that user. Notifications are read from the same Kafka
// topic Herald's node reads (herald.inapp.v1, the same JSON records), with kafkajs, in the peer's own
// consumer group starting from the newest records, as a Herald node's live path does. Unlike Herald's node,
// it keeps no inbox and publishes no delivery statuses.
//
//   node --expose-gc server.js   (PORT, KAFKA, TOPIC, SECRET from the environment)
'use strict';
const http = require('http');
const crypto = require('crypto');
const { Server } = require('socket.io');
const { Kafka, logLevel } = require('kafkajs');

const port = Number(process.env.PORT || 9201);
const secret = process.env.SECRET || '';
const topic = process.env.TOPIC || 'herald.inapp.v1';
let kafkaReady = false;

function verify(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest('base64url');
  const given = Buffer.from(parts[2]);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !crypto.timingSafeEqual(given, wanted)) return null;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
  return typeof claims.sub === 'string' ? claims.sub : null;
}

const httpServer = http.createServer((req, res) => {
  if (req.url === '/stats') {
    if (global.gc) { global.gc(); global.gc(); }
    const memory = process.memoryUsage();
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({
      connections: io.engine.clientsCount, ready: kafkaReady, heapUsed: memory.heapUsed, rss: memory.rss }));
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, { transports: ['websocket'], pingInterval: 25000, pingTimeout: 20000 });
io.use((socket, next) => {
  const user = verify(socket.handshake.auth && socket.handshake.auth.token);
  if (!user) return next(new Error('unauthorized'));
  socket.data.userId = user;
  next();
});
io.on('connection', (socket) => socket.join(socket.data.userId));

// The same message a Herald node writes to the socket, from the same record.
function clientMessage(n) {
  return { id: n.notificationId, type: n.type, title: n.title, body: n.body, data: n.data, read: false,
    created_at: n.occurredAt };
}

const kafka = new Kafka({ clientId: 'socketio-peer', brokers: [process.env.KAFKA || '127.0.0.1:9092'],
  logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: 'socketio-peer-' + crypto.randomUUID(), maxWaitTimeInMs: 100 });
consumer.on(consumer.events.GROUP_JOIN, () => { kafkaReady = true; });
(async () => {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const record of batch.messages) {
        const n = JSON.parse(record.value.toString('utf8'));
        io.to(n.userId).emit('notification', clientMessage(n));
      }
    },
  });
})().catch((error) => { console.error(error); process.exit(1); });

httpServer.listen(port, '127.0.0.1', () => console.log(`socket.io peer listening on ${port}, reading ${topic}`));

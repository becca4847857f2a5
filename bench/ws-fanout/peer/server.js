// The peer of Herald's ws-fanout benchmark: a socket.io 4 server doing the same job as one ws-fanout node.
// Clients authenticate with the same HS256 JWT (in the socket.io auth payload), join a room named after
// their user id, and get every notification for that user. Notifications arrive on a TCP feed (one JSON
// line each: {"userId": "...", "notification": {...}}), standing in for Herald's Kafka topic.
//
//   node --expose-gc server.js   (PORT, FEED_PORT, SECRET from the environment)
'use strict';
const http = require('http');
const net = require('net');
const crypto = require('crypto');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 9201);
const feedPort = Number(process.env.FEED_PORT || 9202);
const secret = process.env.SECRET || '';

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
    res.end(JSON.stringify({ connections: io.engine.clientsCount, heapUsed: memory.heapUsed, rss: memory.rss }));
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

net.createServer((connection) => {
  let buffered = '';
  connection.setEncoding('utf8');
  connection.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.length === 0) continue;
      const message = JSON.parse(line);
      io.to(message.userId).emit('notification', message.notification);
    }
  });
}).listen(feedPort, '127.0.0.1');

httpServer.listen(port, '127.0.0.1', () => console.log(`socket.io peer listening on ${port}, feed on ${feedPort}`));

'use strict';
// A minimal SMTP server on loopback for the bench: enough of RFC 5321 for nodemailer (EHLO/HELO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT; no AUTH, no STARTTLS, no PIPELINING advertised). npm smtp-server waits
// 100 ms before greeting every connection (its early-talker check), which would be counted as delivery
// latency of the product; this sink greets at once and timestamps each message when its final dot arrives.
const net = require('node:net');
const { performance } = require('node:perf_hooks');

/** onMessage(raw: string, recipients: string[], receivedAt: number /* performance.now() *\/) */
function startSmtpSink(onMessage) {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let buf = '';
    let inData = false;
    let dataLines = [];
    let rcpts = [];
    const reply = (line) => socket.write(`${line}\r\n`);
    reply('220 bench-sink ESMTP ready');
    socket.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let idx;
      while ((idx = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const at = performance.now();
            const raw = Buffer.from(dataLines.join('\r\n'), 'latin1').toString('utf8');
            const to = rcpts;
            dataLines = [];
            rcpts = [];
            reply('250 OK: message queued');
            onMessage(raw, to, at);
          } else dataLines.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          socket.write('250-bench-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n');
        } else if (verb === 'HELO') reply('250 bench-sink');
        else if (verb === 'MAIL') {
          rcpts = [];
          reply('250 Accepted');
        } else if (verb === 'RCPT') {
          const m = /<([^>]*)>/.exec(line);
          rcpts.push(m ? m[1] : line.slice(8).trim());
          reply('250 Accepted');
        } else if (verb === 'DATA') {
          inData = true;
          dataLines = [];
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          rcpts = [];
          reply('250 Flushed');
        } else if (verb === 'NOOP') reply('250 OK');
        else if (verb === 'QUIT') {
          reply('221 Bye');
          socket.end();
        } else reply('502 Command not implemented');
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => server.close() }));
  });
}

module.exports = { startSmtpSink };

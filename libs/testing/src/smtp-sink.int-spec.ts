import nodemailer from 'nodemailer';
import { SmtpSink } from './smtp-sink';

describe('SmtpSink (real SMTP on loopback)', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => {
    await sink.stop();
  });

  it('captures what nodemailer sends, with envelope, subject and both parts decoded', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'from@example.test',
      to: 'to@example.test',
      subject: 'Vérification 123',
      text: 'code: 654321 — ok',
      html: '<p>code: <b>654321</b></p>',
    });
    transport.close();
    const mail = await sink.waitForTo('to@example.test');
    expect(mail.envelopeFrom).toBe('from@example.test');
    expect(mail.subject).toBe('Vérification 123');
    expect(mail.text).toContain('654321 — ok');
    expect(mail.html).toContain('<b>654321</b>');
  });

  it('refuses scripted messages with the given SMTP code', async () => {
    sink.failNext(1, { code: 550, message: 'mailbox unavailable' });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    await expect(transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 's', text: 't' })).rejects.toMatchObject({
      responseCode: 550,
    });
    await transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 's2', text: 't' });
    transport.close();
    expect(sink.latestTo('b@example.test')?.subject).toBe('s2');
  });
});

// A real SMTP server on loopback (npm smtp-server) that nodemailer really talks to. Owned by the notifier work.
export {};

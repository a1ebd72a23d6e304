// A loopback HTTP server speaking Twilio's Messages API, called by the real `twilio` SDK. Owned by the notifier work.
export {};

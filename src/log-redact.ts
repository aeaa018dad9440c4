// What pino must never print, wherever it turns up in a log object: credentials, tokens, codes.
export const LOG_REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    '*.authorization',
    '*.password',
    '*.sipPassword',
    '*.token',
    '*.secret',
  ],
  censor: '[redacted]',
};
